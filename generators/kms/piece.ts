/** cfn/kms.json: the S3 (EMRFS) key and the local-disk (LUKS, EBS) key. */
import type { Piece } from '../lib/piece.js';
import { renderTemplate } from '../lib/render.js';

export const kmsPiece: Piece = {
  name: 'kms',
  namesCertificate: false,
  render({ model }) {
    return [{ path: 'cfn/kms.json', contents: renderTemplate('kms', 'kms.json.ejs', { m: model, a: model.answers }) }];
  },
};
