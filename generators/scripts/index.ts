/** `yo secure-emr:scripts`: regenerates this piece from the stored answers. */
import { pieceGenerator } from '../lib/piece-generator.js';
import { scriptsPiece } from './piece.js';

export default pieceGenerator(scriptsPiece);
