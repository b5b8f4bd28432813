/** `yo secure-emr:environment`: regenerates this piece from the stored answers. */
import { pieceGenerator } from '../lib/piece-generator.js';
import { environmentPiece } from './piece.js';

export default pieceGenerator(environmentPiece);
