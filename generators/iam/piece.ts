/** cfn/iam.json: the EMR service role and EC2 instance role, unless the EMR default roles are used. */
import type { Piece } from '../lib/piece.js';
import { renderTemplate } from '../lib/render.js';

export const iamPiece: Piece = {
  name: 'iam',
  namesCertificate: false,
  render({ model }) {
    if (model.answers.iamRoles === 'emr-defaults') return [];
    return [{ path: 'cfn/iam.json', contents: renderTemplate('iam', 'iam.json.ejs', { m: model, a: model.answers }) }];
  },
};
