/** Every piece of the emitted repository, in the order the app generator renders them. */
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

export const ALL_PIECES: readonly Piece[] = [
  appPiece, iamPiece, kmsPiece, environmentPiece, certsPiece, securityConfigurationPiece, scriptsPiece, sshPiece, jobsPiece,
];
