/** scripts/: deploy, run the jobs, verify the encryption, tear down, and the settings they share. */
import { PLACEHOLDERS } from '../lib/model.js';
import type { Piece } from '../lib/piece.js';
import { templateFile } from '../lib/render.js';

export const scriptsPiece: Piece = {
  name: 'scripts',
  description: 'scripts/: project.env, lib.sh, deploy.sh, run-jobs.sh, verify-encryption.sh, teardown.sh',
  render({ model }) {
    const data = { placeholders: PLACEHOLDERS };
    const script = (name: string) => templateFile('scripts', `scripts/${name}`, model, { data, mode: 0o755 });
    return [
      templateFile('scripts', 'scripts/project.env', model, { data }),
      templateFile('scripts', 'scripts/lib.sh', model, { data }),
      script('deploy.sh'),
      script('run-jobs.sh'),
      script('verify-encryption.sh'),
      script('teardown.sh'),
    ];
  },
};
