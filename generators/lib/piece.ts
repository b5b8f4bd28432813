/**
 * What a piece of the emitted repository is: a name, a sentence, and a function from the model to files.
 * A piece may add flags and a step that runs before rendering (only `certs` does: --rotate, --check).
 */
import type { Model, State } from './model.js';

/** What a file holds. */
export type Contents = string | Buffer;

export interface OutputFile {
  /** Path relative to the project root, with forward slashes. */
  path: string;
  /**
   * The contents, or a promise of them while they are still being made (new key material, generated on the thread
   * pool, and the file that documents it): the run plans such a file by its path and writes it once it is ready,
   * writing meanwhile what does not depend on it (run-pieces.ts).
   */
  contents: Contents | Promise<Contents>;
  /** File mode on disk (0o600 for private keys, 0o755 for scripts). */
  mode?: number;
  /**
   * Key material and what is made from it: written only when the piece decides to (first run or rotation),
   * never through the edited-file logic, never recorded in the manifest.
   */
  secret?: boolean;
  /** Part of the key-material set that changes as one (staged, then moved into place together). */
  keySet?: boolean;
  /**
   * Merged into a file the user may own: the rendered contents become a marked block inside it, replacing an
   * earlier block, and the rest of the file is kept (.gitignore in a repository that already has one).
   */
  mergeBlock?: boolean;
}

export interface PieceContext {
  model: Model;
  /** The project folder (absolute): relative paths in answers are taken from it. */
  root: string;
  /** A file of the destination as it is on disk now, or undefined. */
  readExisting(path: string): Buffer | undefined;
  /** The mode of a file on disk, or undefined. */
  modeOf(path: string): number | undefined;
  /** --dry-run: decide, but make nothing expensive or secret (no key generation). */
  dryRun: boolean;
  /** The piece's own flags (e.g. `rotate`), as given on the command line. */
  flags: Readonly<Record<string, boolean>>;
  log(message: string): void;
}

/** A boolean flag a piece's subgenerator adds to the common ones. */
export interface PieceFlag {
  name: string;
  description: string;
}

/** What a piece's `before` step decided. */
export type BeforeRender =
  /** Render, with this state (a changed state re-renders every piece whose files depend on it). */
  | { kind: 'render'; state: State; notes: string[] }
  /** Only report (e.g. `certs --check`): print the lines, write nothing, fail when not ok. */
  | { kind: 'report'; lines: string[]; ok: boolean; failure: string };

export interface BeforeContext {
  model: Model;
  readExisting(path: string): Buffer | undefined;
  modeOf(path: string): number | undefined;
  dryRun: boolean;
  flags: Readonly<Record<string, boolean>>;
}

export interface Piece {
  name: string;
  /** One sentence for --help, the READMEs and the docs. */
  description: string;
  flags?: readonly PieceFlag[];
  before?(ctx: BeforeContext): BeforeRender;
  render(ctx: PieceContext): OutputFile[] | Promise<OutputFile[]>;
}

/** A file whose contents are ready. */
export interface ReadyFile extends OutputFile {
  contents: Contents;
}

export const isReady = (file: OutputFile): file is ReadyFile => !(file.contents instanceof Promise);

/** The file once its contents are ready. */
export async function whenReady(file: OutputFile): Promise<ReadyFile> {
  return { ...file, contents: await file.contents };
}
