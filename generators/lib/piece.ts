/** What a piece of the emitted repository is: a name and a pure-ish function from the model to files. */
import type { Model } from './model.js';

export interface OutputFile {
  /** Path relative to the project root, with forward slashes. */
  path: string;
  contents: string | Buffer;
  /** File mode on disk (0o600 for private keys, 0o755 for scripts). */
  mode?: number;
  /**
   * Key material and what is made from it: written only when the piece decides to (first run or rotation),
   * never through the edited-file logic, never recorded in the manifest.
   */
  secret?: boolean;
}

export interface PieceContext {
  model: Model;
  /** A file of the destination as it is on disk now, or undefined. */
  readExisting(path: string): Buffer | undefined;
  /** `:certs --rotate` was asked for. */
  rotate: boolean;
  log(message: string): void;
}

export interface Piece {
  name: string;
  /** Re-rendered when the certificate version moves (it names the zip's S3 key). */
  namesCertificate: boolean;
  render(ctx: PieceContext): OutputFile[] | Promise<OutputFile[]>;
}
