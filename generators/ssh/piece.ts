/** ssh-commands.txt: reaching the primary node through the bastion, UIs, Session Manager. */
import type { Piece } from '../lib/piece.js';
import { renderTemplate } from '../lib/render.js';

export const sshPiece: Piece = {
  name: 'ssh',
  namesCertificate: false,
  render({ model }) {
    return [{ path: 'ssh-commands.txt', contents: renderTemplate('ssh', 'ssh-commands.txt.ejs', { m: model, a: model.answers }) }];
  },
};
