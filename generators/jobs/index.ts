/** `yo secure-emr:jobs`: regenerates this piece from the stored answers. */
import { pieceGenerator } from '../lib/piece-generator.js';
import { jobsPiece } from './piece.js';

export default pieceGenerator(jobsPiece);
