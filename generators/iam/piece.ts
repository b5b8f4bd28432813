/** cfn/iam.json: the EMR service role and EC2 instance role, unless the EMR default roles are used. */
import type { Piece } from '../lib/piece.js';
import { documentFile } from '../lib/render.js';
import { iamTemplate } from './iam-template.js';

export const iamPiece: Piece = {
  name: 'iam',
  description: 'cfn/iam.json: the EMR service role and the EC2 instance role (not emitted with iamRoles emr-defaults)',
  render({ model }) {
    return model.roles.createdByProject ? [documentFile('iam', 'cfn/iam.json', model, iamTemplate(model))] : [];
  },
};
