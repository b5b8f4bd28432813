/**
 * The only code that writes into a project. Every write is crash-safe and contained:
 * - a file is written to a temporary file in its own folder, flushed, and renamed over the old one, so a run
 *   killed at any instant leaves each file old or new, never empty or partial;
 * - nothing is written through a symlink or outside the project folder (the path is refused, naming it);
 * - key material changes as one set: the new files are staged in certs/.next/, a COMPLETE marker is written, then
 *   they are renamed into place; a run that finds a complete stage finishes it, one that finds an incomplete stage
 *   discards it (the old set was never touched);
 * - a lock (.secure-emr/lock) makes a second run in the same project fail at once, naming the holder.
 */
import {
  closeSync,
  fsync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  rmdirSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { constants as osConstants, hostname } from 'node:os';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';

export class WriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WriteError';
  }
}

function describeFsError(error: unknown, path: string, doing: string): WriteError {
  // A refusal or an error already described (a symlink, a folder that cannot be made) keeps its own words.
  if (error instanceof WriteError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'EACCES' || code === 'EPERM'
      ? 'permission denied; check who owns the folder (and run as that user)'
      : code === 'ENOSPC'
        ? 'the disk is full; free some space and run again'
        : code === 'EROFS'
          ? 'the file system is read-only'
          : `${code ?? 'an error'}; see DEBUG=1 for details`;
  const out = new WriteError(`cannot ${doing} ${path}: ${why}. Nothing after it was written; run again when fixed.`);
  if (process.env.DEBUG) out.stack = `${out.stack}\ncaused by: ${(error as Error).stack ?? String(error)}`;
  return out;
}

/** Writes every byte (a write may write fewer than it was given, e.g. on a nearly full disk); throws otherwise. */
function writeFully(fd: number, contents: string | Buffer): void {
  const bytes = typeof contents === 'string' ? Buffer.from(contents) : contents;
  for (let done = 0; done < bytes.length;) {
    const n = writeSync(fd, bytes, done, bytes.length - done);
    if (n <= 0) throw Object.assign(new Error('short write'), { code: 'ENOSPC' });
    done += n;
  }
}

/** What is at a path without following a final symlink: 'missing', 'file', 'dir', 'symlink' or 'other'. */
function kindOf(path: string): 'missing' | 'file' | 'dir' | 'symlink' | 'other' {
  let s: ReturnType<typeof lstatSync>;
  try {
    // A missing path is the common case (a new project): no exception made for it.
    s = lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return 'missing';
  }
  if (s === undefined) return 'missing';
  if (s.isSymbolicLink()) return 'symlink';
  if (s.isFile()) return 'file';
  if (s.isDirectory()) return 'dir';
  return 'other';
}

export class ProjectWriter {
  constructor(readonly root: string) {}

  /**
   * The absolute path of a project-relative path, after checking that it stays inside the project and that no
   * existing part of it is a symlink (or, for the last part, anything but a regular file).
   */
  resolve(relative: string, expect: 'file' | 'dir' = 'file'): string {
    const clean = normalize(relative);
    if (isAbsolute(relative) || clean === '..' || clean.startsWith(`..${sep}`)) {
      throw new WriteError(`refusing to write ${relative}: it is outside the project folder`);
    }
    const parts = clean.split(sep);
    let current = this.root;
    for (const [i, part] of parts.entries()) {
      current = join(current, part);
      const last = i === parts.length - 1;
      const kind = kindOf(current);
      if (kind === 'symlink') {
        throw new WriteError(
          `refusing to write ${relative}: ${parts.slice(0, i + 1).join('/')} is a symlink, and this tool never writes through one; replace it with a regular ${last ? 'file' : 'folder'} (or remove it) and run again`,
        );
      }
      if (kind === 'missing') break;
      if (!last && kind !== 'dir')
        throw new WriteError(`refusing to write ${relative}: ${parts.slice(0, i + 1).join('/')} is not a folder`);
      if (last && kind !== expect) {
        throw new WriteError(
          `refusing to write ${relative}: it exists and is not a regular ${expect === 'dir' ? 'folder' : 'file'}`,
        );
      }
    }
    return join(this.root, clean);
  }

  /** Reads a project file, refusing symlinks; undefined when it does not exist. */
  read(relative: string): Buffer | undefined {
    const path = this.resolve(relative);
    if (kindOf(path) === 'missing') return undefined;
    try {
      return readFileSync(path);
    } catch (error) {
      throw describeFsError(error, relative, 'read');
    }
  }

  private mkdirs(relativeDir: string, mode = 0o755): void {
    if (relativeDir === '.' || relativeDir === '') return;
    this.resolve(relativeDir, 'dir');
    try {
      mkdirSync(join(this.root, relativeDir), { recursive: true, mode });
    } catch (error) {
      throw describeFsError(error, relativeDir, 'create the folder');
    }
  }

  /** Writes one file crash-safely: temporary file in the same folder, flushed, renamed into place. */
  write(relative: string, contents: string | Buffer, mode = 0o644): void {
    const path = this.resolve(relative);
    this.mkdirs(dirname(relative));
    const temp = join(dirname(path), `.${process.pid}.${Date.now()}.secure-emr-tmp`);
    try {
      const fd = openSync(temp, 'wx', mode);
      try {
        writeFully(fd, contents);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, path);
      syncDir(dirname(path));
    } catch (error) {
      rmSync(temp, { force: true });
      throw describeFsError(error, relative, 'write');
    }
  }

  /**
   * Writes several files, each exactly as `write` does (temporary file in its folder, flushed, renamed into place),
   * but the flushes run in parallel on the thread pool and each folder is synced once, after its renames, instead
   * of one flush and one folder sync after another. A failure before the renames leaves every file as it was.
   */
  async writeAll(files: ReadonlyArray<{ path: string; contents: string | Buffer; mode: number }>): Promise<void> {
    const staged: Array<{ relative: string; path: string; temp: string; fd?: number }> = [];
    let current = '';
    try {
      for (const [i, file] of files.entries()) {
        current = file.path;
        const path = this.resolve(file.path);
        this.mkdirs(dirname(file.path));
        const entry: (typeof staged)[number] = {
          relative: file.path,
          path,
          temp: join(dirname(path), `.${process.pid}.${Date.now()}.${i}.secure-emr-tmp`),
        };
        staged.push(entry);
        entry.fd = openSync(entry.temp, 'wx', file.mode);
        writeFully(entry.fd, file.contents);
      }
      await Promise.all(
        staged.map(
          (entry) =>
            new Promise<void>((resolve, reject) => {
              fsync(entry.fd as number, (error) => {
                current = entry.relative;
                if (error) reject(error);
                else resolve();
              });
            }),
        ),
      );
      for (const entry of staged) {
        current = entry.relative;
        closeSync(entry.fd as number);
        entry.fd = undefined;
        renameSync(entry.temp, entry.path);
      }
    } catch (error) {
      for (const entry of staged) {
        if (entry.fd !== undefined) closeSync(entry.fd);
        rmSync(entry.temp, { force: true });
      }
      throw describeFsError(error, current, 'write');
    }
    await Promise.all([...new Set(staged.map((e) => dirname(e.path)))].map(syncDirAsync));
  }

  remove(relative: string): void {
    const path = this.resolve(relative);
    try {
      rmSync(path, { force: true });
    } catch (error) {
      throw describeFsError(error, relative, 'remove');
    }
  }
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems refuse fsync on a folder; the rename is still atomic.
  }
}

function syncDirAsync(dir: string): Promise<void> {
  return new Promise((resolve) => {
    try {
      const fd = openSync(dir, 'r');
      fsync(fd, () => {
        // Some file systems refuse fsync on a folder; the rename is still atomic.
        closeSync(fd);
        resolve();
      });
    } catch {
      resolve();
    }
  });
}

// ---- key material as one set ---------------------------------------------------------------------------

export const STAGE_DIR = 'certs/.next';
const COMPLETE = 'COMPLETE';
/**
 * The marker of the set an earlier, interrupted run installed, kept while this run stages the next one: the only
 * record of that set's version until this run writes its state.
 */
const PREVIOUS = 'PREVIOUS';

export interface StagedSet {
  /** Certificate version the set belongs to. */
  version: number;
  files: Array<{ path: string; contents: string | Buffer; mode: number }>;
}

/**
 * Writes a key-material set: staged, marked complete, then renamed into place. A crash before the marker
 * leaves the old set untouched; a crash after it is finished by `recoverStagedSet` on the next run. The marker,
 * which names the set's certificate version, stays until the run has written its state (`clearStage`): a run
 * stopped between moving the set in and writing the files that name its version still adopts that version.
 */
export async function writeStagedSet(writer: ProjectWriter, set: StagedSet): Promise<void> {
  const names = set.files.map((f) => f.path.split('/').pop() ?? f.path);
  // A marker left by an interrupted run (its set is in place: recovery moved it) becomes PREVIOUS, so that a stop
  // while staging this set still leaves its version on record.
  const left = writer.resolve(`${STAGE_DIR}/${COMPLETE}`);
  if (kindOf(left) === 'file') {
    try {
      renameSync(left, writer.resolve(`${STAGE_DIR}/${PREVIOUS}`));
    } catch (error) {
      throw describeFsError(error, `${STAGE_DIR}/${PREVIOUS}`, 'write');
    }
    syncDir(dirname(left));
  }
  // The staged files are flushed together; the marker is written only once all of them are on disk.
  await writer.writeAll(set.files.map((file, i) => ({ ...file, path: `${STAGE_DIR}/${names[i]}` })));
  writer.write(
    `${STAGE_DIR}/${COMPLETE}`,
    `${JSON.stringify({ version: set.version, files: set.files.map((f) => f.path) })}\n`,
    0o600,
  );
  moveStagedIn(writer);
}

/** Moves a complete stage's files into place (those still staged); returns the version its marker names. */
function moveStagedIn(writer: ProjectWriter): { version: number } {
  const marker = JSON.parse(writer.read(`${STAGE_DIR}/${COMPLETE}`)?.toString('utf8') ?? '{}') as {
    version?: number;
    files?: string[];
  };
  const moved = new Set<string>();
  for (const target of marker.files ?? []) {
    const staged = writer.resolve(`${STAGE_DIR}/${target.split('/').pop() ?? target}`);
    if (kindOf(staged) !== 'file') continue; // already moved by an earlier, interrupted finish
    const path = writer.resolve(target);
    try {
      renameSync(staged, path);
    } catch (error) {
      throw describeFsError(error, target, 'move the new key material to');
    }
    moved.add(dirname(path));
  }
  // Each folder synced once, after all of its renames and before the marker can go.
  for (const dir of moved) syncDir(dir);
  return { version: typeof marker.version === 'number' ? marker.version : 0 };
}

/** Removes the stage and its marker: the run that installed (or recovered) the set has written its state. */
export function clearStage(writer: ProjectWriter): void {
  const stage = writer.resolve(STAGE_DIR, 'dir');
  if (kindOf(stage) === 'missing') return;
  writer.remove(`${STAGE_DIR}/${COMPLETE}`);
  writer.remove(`${STAGE_DIR}/${PREVIOUS}`);
  rmSync(stage, { recursive: true, force: true });
}

/**
 * Run before reading key material: finishes a complete stage (a run was killed while moving the new set in) or
 * discards an incomplete one (killed while staging: the old set is intact). Returns a note, or undefined.
 */
export function recoverStagedSet(writer: ProjectWriter): { note: string; version?: number } | undefined {
  const stage = writer.resolve(STAGE_DIR, 'dir');
  if (kindOf(stage) !== 'dir') return undefined;
  if (kindOf(join(stage, COMPLETE)) === 'file') {
    // The marker stays until this run has written its state (clearStage), as for the run that staged the set.
    const { version } = moveStagedIn(writer);
    return {
      note: `Finished installing key material (version ${version}) that an interrupted run had prepared in ${STAGE_DIR}/.`,
      version,
    };
  }
  // A half-staged set: its files go, the record of the set in place (PREVIOUS) stays until the state is written.
  for (const name of readdirSync(stage))
    if (name !== PREVIOUS) rmSync(join(stage, name), { recursive: true, force: true });
  const note = `Discarded key material an interrupted run had only half prepared in ${STAGE_DIR}/; the existing set is unchanged.`;
  const previous = writer.read(`${STAGE_DIR}/${PREVIOUS}`);
  if (previous === undefined) {
    rmSync(stage, { recursive: true, force: true });
    return { note };
  }
  let version: unknown;
  try {
    version = (JSON.parse(previous.toString('utf8')) as { version?: unknown }).version;
  } catch {
    version = undefined; // a damaged record: the state files' version stands
  }
  return typeof version === 'number' ? { note, version } : { note };
}

// ---- the lock ------------------------------------------------------------------------------------------

export const LOCK_PATH = '.secure-emr/lock';

/** Signals on which a run holding the lock releases it before leaving (exit 128 + the signal's number). */
const RELEASING_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface Lock {
  release(): void;
  /** Set when a lock left by a killed run was taken over. */
  note?: string;
}

/**
 * Takes the project lock or fails at once naming the holder. A lock whose process is gone is taken over.
 *
 * Ctrl-C, `kill` or a closed terminal while the lock is held releases it and leaves as a killed run would: every
 * write is atomic and key material is staged as one set, so the next run finds a consistent project. The signal
 * handlers are in place before the lock file exists and until after it is gone, so no instant leaves it behind.
 */
export function acquireLock(writer: ProjectWriter): Lock {
  const rel = LOCK_PATH;
  const path = writer.resolve(rel);
  const lockDir = writer.resolve(dirname(rel), 'dir');
  const createdDir = kindOf(lockDir) === 'missing';
  mkdirSync(lockDir, { recursive: true });
  const me = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  let held = false;
  const removeLockFile = (): void => {
    if (held) {
      try {
        const holder = JSON.parse(readFileSync(path, 'utf8')) as { pid?: number };
        if (holder.pid === process.pid) unlinkSync(path);
      } catch {
        // already gone
      }
      held = false;
    }
    // A run that failed before writing anything leaves the folder as it found it.
    if (createdDir) {
      try {
        rmdirSync(lockDir); // only when empty
      } catch {
        // the run wrote files there: keep the folder
      }
    }
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    removeLockFile();
    process.stderr.write(
      `\nInterrupted (${signal}); files written so far are complete. Run the same command again (same options) to finish.\n`,
    );
    process.exit(128 + (osConstants.signals[signal] ?? 0));
  };
  const stopListening = (): void => {
    for (const signal of RELEASING_SIGNALS) process.removeListener(signal, onSignal);
  };
  for (const signal of RELEASING_SIGNALS) process.on(signal, onSignal);
  const release = (): void => {
    removeLockFile();
    stopListening();
  };
  let note: string | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o644);
      held = true;
      writeSync(fd, `${JSON.stringify(me)}\n`);
      closeSync(fd);
      return note ? { release, note } : { release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        release();
        throw describeFsError(error, rel, 'create the lock');
      }
    }
    let holder: { pid?: number; host?: string; since?: string } = {};
    try {
      holder = JSON.parse(readFileSync(path, 'utf8')) as typeof holder;
    } catch {
      holder = {};
    }
    const sameHost = holder.host === me.host;
    if (typeof holder.pid === 'number' && sameHost && !alive(holder.pid)) {
      unlinkSync(path);
      note = `Took over ${rel} left by process ${holder.pid}, which is gone (a killed run).`;
      continue;
    }
    stopListening();
    throw new WriteError(
      `another secure-emr run holds ${rel} (process ${holder.pid ?? '?'} on ${holder.host ?? '?'} since ${holder.since ?? '?'}); wait for it to finish. If no such run exists, delete ${rel} and run again.`,
    );
  }
  stopListening();
  throw new WriteError(`could not take ${rel}; delete it and run again`);
}
