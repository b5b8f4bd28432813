/** `yo secure-emr:security-configuration`: regenerates this piece from the stored answers. */
import { pieceGenerator } from '../lib/piece-generator.js';
import { securityConfigurationPiece } from './piece.js';

export default pieceGenerator(securityConfigurationPiece);
