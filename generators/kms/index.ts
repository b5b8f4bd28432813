/** `yo secure-emr:kms`: regenerates this piece from the stored answers. */
import { pieceGenerator } from '../lib/piece-generator.js';
import { kmsPiece } from './piece.js';

export default pieceGenerator(kmsPiece);
