/** cfn/environment.json: the network of a private-subnet cluster. */
import type { Piece } from '../lib/piece.js';
import { renderTemplate } from '../lib/render.js';

export const environmentPiece: Piece = {
  name: 'environment',
  namesCertificate: false,
  render({ model }) {
    return [
      { path: 'cfn/environment.json', contents: renderTemplate('environment', 'environment.json.ejs', { m: model, a: model.answers }) },
    ];
  },
};
