/** `yo secure-emr:ssh`: regenerates this piece from the stored answers. */
import { pieceGenerator } from '../lib/piece-generator.js';
import { sshPiece } from './piece.js';

export default pieceGenerator(sshPiece);
