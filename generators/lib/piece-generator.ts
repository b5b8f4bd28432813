/** A subgenerator that regenerates one piece from the stored answers (`yo secure-emr:<piece>`). */
import { SecureEmrGenerator } from './base-generator.js';
import type { Piece } from './piece.js';

export function pieceGenerator(piece: Piece): typeof SecureEmrGenerator {
  return class PieceGenerator extends SecureEmrGenerator {
    protected readonly pieces = [piece];
  };
}
