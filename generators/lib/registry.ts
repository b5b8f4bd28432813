/**
 * THE piece registry: every piece of the emitted repository, in render order. Each piece is one folder
 * (generators/<name>/ with piece.ts and a one-line index.ts, templates/<name>/) and one line here; the bin, the
 * app generator, the subgenerators, the bundle entries, the docs and the tests derive from this list.
 * `app` renders every piece (`yo secure-emr`); every other name regenerates its own (`yo secure-emr:<name>`).
 */
import { appPiece } from '../app/piece.js';
import { certsPiece } from '../certs/piece.js';
import { environmentPiece } from '../environment/piece.js';
import { iamPiece } from '../iam/piece.js';
import { jobsPiece } from '../jobs/piece.js';
import { kmsPiece } from '../kms/piece.js';
import { scriptsPiece } from '../scripts/piece.js';
import { securityConfigurationPiece } from '../security-configuration/piece.js';
import { sshPiece } from '../ssh/piece.js';
import type { Piece } from './piece.js';

export const PIECES: readonly Piece[] = [
  appPiece,
  iamPiece,
  kmsPiece,
  environmentPiece,
  certsPiece,
  securityConfigurationPiece,
  scriptsPiece,
  sshPiece,
  jobsPiece,
];

/** Generator names: `app` (the whole project) and one per piece. */
export const GENERATOR_NAMES: readonly string[] = PIECES.map((p) => p.name);

/** The pieces a generator renders. */
export function piecesOf(generator: string): readonly Piece[] {
  if (generator === 'app') return PIECES;
  const piece = PIECES.find((p) => p.name === generator);
  if (!piece) throw new Error(`no piece named ${generator}`);
  return [piece];
}
