/**
 * The write plan: disk state + manifest + rendered files -> what to write, keep, replace and remove. Pure: the
 * disk comes in as a read function, and nothing here writes. Key material (`secret` files) is written exactly
 * when its piece emits it and is never recorded in the manifest; every other file goes through the manifest's
 * edited-file rules (manifest.ts, `decide`). A file the manifest records for a rendered piece that the piece no
 * longer emits is an orphan: removed when unedited, named in the summary when edited.
 */
import { MANIFEST_PATH, NEW_VERSION_SUFFIX, decide, sha256 } from './manifest.js';
import type { Decision, Manifest } from './manifest.js';
import type { OutputFile } from './piece.js';
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
  const files = { ...input.manifest.files };
  const emitted = new Set<string>();
  for (const { piece, files: outputs } of input.rendered) {
    for (const output of outputs) {
      emitted.add(output.path);
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
        continue;
      }
      if (output.secret) {
        decisions[onDisk ? 'replace' : 'add'].push(output.path);
        actions.push({ kind: 'write', file: output, replacing: onDisk !== undefined });
        continue;
      }
      const decision = decide(output.contents, onDisk, files[output.path], input.force);
      decisions[decision].push(output.path);
      files[output.path] = { sha256: sha256(output.contents), piece };
      if (decision === 'unchanged' || decision === 'edited') continue;
      if (decision === 'keep') {
        actions.push({ kind: 'write', file: { ...output, path: output.path + NEW_VERSION_SUFFIX }, replacing: true });
      } else {
        actions.push({ kind: 'write', file: output, replacing: decision !== 'add' });
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
  const sorted = Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b)));
  const manifest: Manifest = { ...input.manifest, version: input.version, files: sorted };
  return { actions, decisions, manifest };
}

/** The manifest file itself, written last (after every file it describes). */
export function manifestFile(manifest: Manifest): OutputFile {
  return { path: MANIFEST_PATH, contents: formatJson(manifest) };
}
