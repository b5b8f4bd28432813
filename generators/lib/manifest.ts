/**
 * The generated-file manifest (.secure-emr/manifest.json): what the generator last wrote, by content hash,
 * so a re-run can tell a file the user never touched (replace silently) from one they edited (keep).
 */
import { createHash } from 'node:crypto';

export const MANIFEST_PATH = '.secure-emr/manifest.json';

export interface ManifestEntry {
  sha256: string;
  piece: string;
}

export interface Manifest {
  generator: 'generator-secure-emr';
  version: string;
  files: Record<string, ManifestEntry>;
}

export type Decision =
  | 'add' // not on disk
  | 'unchanged' // on disk with exactly the new contents
  | 'replace' // on disk as the generator last wrote it: safe to replace
  | 'keep' // edited by the user: kept, the new version goes beside it
  | 'edited' // edited by the user, and the generator has nothing new for it: left alone
  | 'force'; // edited by the user, replaced because of --force

/** Suffix of the file written beside a user-edited one. */
export const NEW_VERSION_SUFFIX = '.secure-emr-new';

export function sha256(contents: string | Buffer): string {
  return createHash('sha256').update(contents).digest('hex');
}

export function emptyManifest(version: string): Manifest {
  return { generator: 'generator-secure-emr', version, files: {} };
}

/** The manifest as read from disk, checked: a damaged one is refused with the file named and the fix. */
export function parseManifest(text: string | undefined, version: string): Manifest {
  if (text === undefined) return emptyManifest(version);
  const refuse = (why: string): never => {
    throw new Error(`${MANIFEST_PATH} ${why}; restore it from git, or move it away to treat every file as edited`);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return refuse('is not valid JSON');
  }
  const m = parsed as Partial<Manifest> | null;
  if (
    m === null ||
    typeof m !== 'object' ||
    m.generator !== 'generator-secure-emr' ||
    typeof m.files !== 'object' ||
    m.files === null
  ) {
    return refuse('is not a generator-secure-emr manifest');
  }
  for (const [path, entry] of Object.entries(m.files)) {
    const e = entry as Partial<ManifestEntry> | null;
    if (typeof e?.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(e.sha256) || typeof e.piece !== 'string') {
      refuse(`has a damaged entry for ${JSON.stringify(path)}`);
    }
  }
  return {
    generator: 'generator-secure-emr',
    version: typeof m.version === 'string' ? m.version : '0.0.0',
    files: m.files,
  };
}

export function decide(
  next: string | Buffer,
  onDisk: Buffer | undefined,
  entry: ManifestEntry | undefined,
  force: boolean,
): Decision {
  if (onDisk === undefined) return 'add';
  if (onDisk.equals(Buffer.isBuffer(next) ? next : Buffer.from(next))) return 'unchanged';
  if (entry && sha256(onDisk) === entry.sha256) return 'replace';
  if (force) return 'force';
  return entry && entry.sha256 === sha256(next) ? 'edited' : 'keep';
}
