/**
 * The write plan: disk state + manifest + rendered files -> what to write, keep, replace and remove. Pure: the
 * disk comes in as a read function, and nothing here writes. Key material (`secret` files) is written exactly
 * when its piece emits it and is never recorded in the manifest; every other file goes through the manifest's
 * edited-file rules (manifest.ts, `decide`). A file the manifest records for a rendered piece that the piece no
 * longer emits is an orphan: removed when unedited, named in the summary when edited.
 */
import { MANIFEST_PATH, NEW_VERSION_SUFFIX, decide, sha256 } from './manifest.js';
import type { Decision, Manifest } from './manifest.js';
import { isReady } from './piece.js';
import type { OutputFile, ReadyFile } from './piece.js';
import { formatJson } from './json-format.js';

export type PlannedDecision = Decision | 'remove' | 'orphan-edited' | 'merge';

export const BLOCK_START = '# >>> generator-secure-emr (managed block: edits inside it are replaced on every run)';
export const BLOCK_END = '# <<< generator-secure-emr';

/** `existing` with the tool's block replaced by (or, when absent, followed by) `block`. */
export function mergeBlock(existing: string, block: string): string {
  const body = `${BLOCK_START}\n${block.replace(/\n*$/, '\n')}${BLOCK_END}\n`;
  const start = existing.indexOf(BLOCK_START);
  const end = existing.indexOf(BLOCK_END, start);
  if (start >= 0 && end > start)
    return existing.slice(0, start) + body + existing.slice(end + BLOCK_END.length).replace(/^\n/, '');
  const sep = existing === '' || existing.endsWith('\n\n') ? '' : existing.endsWith('\n') ? '\n' : '\n\n';
  return existing + sep + body;
}

export type Action = { kind: 'write'; file: OutputFile; replacing: boolean } | { kind: 'delete'; path: string };

export interface WritePlan {
  actions: Action[];
  decisions: Record<PlannedDecision, string[]>;
  manifest: Manifest;
  /**
   * Files whose contents are still being made and whose decision needs them (the file documenting new key
   * material): emitted (never orphans), but decided by `planPending` once ready. Key material itself is planned
   * by its path (it is written exactly when emitted).
   */
  pending: Array<{ piece: string; file: OutputFile }>;
}

export interface PlanInput {
  rendered: ReadonlyArray<{ piece: string; files: readonly OutputFile[] }>;
  readDisk: (path: string) => Buffer | undefined;
  manifest: Manifest;
  version: string;
  force: boolean;
}

export function emptyDecisions(): Record<PlannedDecision, string[]> {
  return {
    add: [],
    unchanged: [],
    replace: [],
    keep: [],
    edited: [],
    force: [],
    remove: [],
    'orphan-edited': [],
    merge: [],
  };
}

/** Paths that hold or may hold key material: never removed by the write plan, whatever the manifest says. */
export function isKeyMaterialPath(path: string): boolean {
  return /\.(pem|key|zip|p12|pfx)$/i.test(path) || path.startsWith('certs/');
}

export function planWrites(input: PlanInput): WritePlan {
  const decisions = emptyDecisions();
  const actions: Action[] = [];
  const pending: WritePlan['pending'] = [];
  const files = { ...input.manifest.files };
  const emitted = new Set<string>();
  for (const { piece, files: outputs } of input.rendered) {
    for (const output of outputs) {
      emitted.add(output.path);
      if (output.secret) {
        // Written exactly when emitted: planned by its path, whether or not its contents are ready.
        const replacing = input.readDisk(output.path) !== undefined;
        decisions[replacing ? 'replace' : 'add'].push(output.path);
        actions.push({ kind: 'write', file: output, replacing });
      } else if (!isReady(output)) {
        if (output.mergeBlock) throw new Error(`${output.path}: a merged block cannot be pending`);
        pending.push({ piece, file: output });
      } else {
        planFile(piece, output, input, { decisions, actions, files });
      }
    }
  }
  const renderedPieces = new Set(input.rendered.map((r) => r.piece));
  for (const [path, entry] of Object.entries(files)) {
    if (emitted.has(path) || !renderedPieces.has(entry.piece)) continue;
    delete files[path];
    const onDisk = input.readDisk(path);
    if (onDisk === undefined) continue;
    // Key material is never in the manifest; an entry naming it (a hand-edited manifest) never removes it.
    if (sha256(onDisk) === entry.sha256 && !isKeyMaterialPath(path)) {
      decisions.remove.push(path);
      actions.push({ kind: 'delete', path });
    } else {
      decisions['orphan-edited'].push(path);
    }
  }
  return { actions, decisions, manifest: withFiles(input, files), pending };
}

/** Every path a pending file may be written to once decided: its own, or beside an edited file (`keep`). */
export function pendingPaths(plan: WritePlan): string[] {
  return plan.pending.flatMap(({ file }) => [file.path, file.path + NEW_VERSION_SUFFIX]);
}

/**
 * The pending files of a plan, now ready: their decisions join the plan's, their manifest entries its manifest;
 * returns their actions.
 */
export function planPending(
  plan: WritePlan,
  ready: ReadonlyArray<{ piece: string; file: ReadyFile }>,
  input: Omit<PlanInput, 'rendered' | 'manifest'>,
): Action[] {
  const actions: Action[] = [];
  const files = { ...plan.manifest.files };
  for (const { piece, file } of ready) planFile(piece, file, input, { decisions: plan.decisions, actions, files });
  plan.manifest = withFiles({ ...input, manifest: plan.manifest }, files);
  plan.pending = [];
  return actions;
}

/** One ready file that is not key material: merged, or decided by the manifest's edited-file rules. */
function planFile(
  piece: string,
  output: ReadyFile,
  input: Pick<PlanInput, 'readDisk' | 'force'>,
  into: { decisions: WritePlan['decisions']; actions: Action[]; files: Manifest['files'] },
): void {
  const { decisions, actions, files } = into;
  const onDisk = input.readDisk(output.path);
  if (output.mergeBlock) {
    // The file belongs to the repository: the tool's rules are a marked block in it, always current; the
    // rest of the file is never touched, and the file is not in the manifest (no edited-file rules apply).
    const existing = onDisk?.toString('utf8') ?? '';
    const merged = mergeBlock(existing, String(output.contents));
    if (onDisk !== undefined && merged === existing) decisions.unchanged.push(output.path);
    else {
      decisions[onDisk === undefined ? 'add' : 'merge'].push(output.path);
      actions.push({ kind: 'write', file: { ...output, contents: merged }, replacing: onDisk !== undefined });
    }
    delete files[output.path];
    return;
  }
  const decision = decide(output.contents, onDisk, files[output.path], input.force);
  decisions[decision].push(output.path);
  files[output.path] = { sha256: sha256(output.contents), piece };
  if (decision === 'unchanged' || decision === 'edited') return;
  if (decision === 'keep') {
    actions.push({ kind: 'write', file: { ...output, path: output.path + NEW_VERSION_SUFFIX }, replacing: true });
  } else {
    actions.push({ kind: 'write', file: output, replacing: decision !== 'add' });
  }
}

/**
 * The manifest with these file entries, stamped with this version. Sorted by code unit: the same on every
 * machine, whatever its locale (localeCompare follows the user's locale, and its first call loads ICU's collator).
 */
function withFiles(input: Pick<PlanInput, 'manifest' | 'version'>, files: Manifest['files']): Manifest {
  const sorted = Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { ...input.manifest, version: input.version, files: sorted };
}

/** The manifest file itself, written last (after every file it describes). */
export function manifestFile(manifest: Manifest): OutputFile {
  return { path: MANIFEST_PATH, contents: formatJson(manifest) };
}
