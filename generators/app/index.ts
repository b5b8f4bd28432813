/** `yo secure-emr`: the whole project. */
import { ALL_PIECES } from '../lib/all-pieces.js';
import { SecureEmrGenerator } from '../lib/base-generator.js';

export default class AppGenerator extends SecureEmrGenerator {
  protected readonly pieces = ALL_PIECES;
}
