/** cfn/environment.json: the network of a private-subnet cluster. */
import type { Piece } from '../lib/piece.js';
import { documentFile } from '../lib/render.js';
import { environmentTemplate } from './environment-template.js';

export const environmentPiece: Piece = {
  name: 'environment',
  description: 'cfn/environment.json: VPC, subnets, NAT gateway, S3 endpoint, bastion, security groups, flow logs',
  render({ model }) {
    return [documentFile('environment', 'cfn/environment.json', model, environmentTemplate(model))];
  },
};
