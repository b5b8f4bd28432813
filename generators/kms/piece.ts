/** cfn/kms.json: the S3 (EMRFS) key and the local-disk (LUKS, EBS) key. */
import type { Piece } from '../lib/piece.js';
import { documentFile } from '../lib/render.js';
import { kmsTemplate } from './kms-template.js';

export const kmsPiece: Piece = {
  name: 'kms',
  description: 'cfn/kms.json: the S3 key and the local-disk key, rotating',
  render({ model }) {
    return [documentFile('kms', 'cfn/kms.json', model, kmsTemplate(model))];
  },
};
