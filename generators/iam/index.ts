/** `yo secure-emr:iam`: regenerates this piece from the stored answers. */
import { pieceGenerator } from '../lib/piece-generator.js';
import { iamPiece } from './piece.js';

export default pieceGenerator(iamPiece);
