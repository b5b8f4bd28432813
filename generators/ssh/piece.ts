/** ssh-commands.txt: reaching the primary node through the bastion and its UIs (no Session Manager: nodes have no SSM). */
import { WEB_UIS } from '../lib/model.js';
import type { Piece } from '../lib/piece.js';
import { templateFile } from '../lib/render.js';

export const sshPiece: Piece = {
  name: 'ssh',
  description: 'ssh-commands.txt: reaching the primary node and its web UIs',
  render({ model }) {
    return [templateFile('ssh', 'ssh-commands.txt', model, { data: { uis: WEB_UIS } })];
  },
};
