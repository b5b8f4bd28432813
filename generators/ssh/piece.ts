/**
 * ssh-commands.txt: how to reach the primary node and its web UIs, by the access answer: through the bastion
 * (bastion), with Session Manager (ssm, plus ssm-operator-policy.json, the least an operator needs), or the team's
 * own path (none).
 */
import { WEB_UIS } from '../lib/model.js';
import type { Piece } from '../lib/piece.js';
import { SESSION_DOCUMENTS, operatorPolicy } from '../lib/policies.js';
import { documentFile, templateFile } from '../lib/render.js';

export const sshPiece: Piece = {
  name: 'ssh',
  description:
    'ssh-commands.txt: reaching the primary node and its web UIs (bastion or Session Manager); ssm-operator-policy.json with access ssm',
  render({ model }) {
    return [
      templateFile('ssh', 'ssh-commands.txt', model, {
        data: { uis: WEB_UIS, portForwardingDocument: SESSION_DOCUMENTS[1] },
      }),
      ...(model.network.sessionManager
        ? [documentFile('ssh', 'ssm-operator-policy.json', model, operatorPolicy(model))]
        : []),
    ];
  },
};
