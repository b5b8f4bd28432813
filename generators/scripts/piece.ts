/** scripts/: deploy, run the jobs, verify the encryption, tear down, and the settings they share. */
import type { Piece } from '../lib/piece.js';
import { renderTemplate } from '../lib/render.js';
import { KEY_PLACEHOLDERS } from '../security-configuration/piece.js';

const SCRIPTS = ['deploy.sh', 'run-jobs.sh', 'verify-encryption.sh', 'teardown.sh'] as const;

export const scriptsPiece: Piece = {
  name: 'scripts',
  namesCertificate: true,
  render({ model }) {
    const data = { m: model, a: model.answers, placeholders: KEY_PLACEHOLDERS };
    return [
      { path: 'scripts/project.env', contents: renderTemplate('scripts', 'project.env.ejs', data) },
      { path: 'scripts/lib.sh', contents: renderTemplate('scripts', 'lib.sh.ejs', data) },
      ...SCRIPTS.map((name) => ({ path: `scripts/${name}`, contents: renderTemplate('scripts', `${name}.ejs`, data), mode: 0o755 })),
    ];
  },
};
