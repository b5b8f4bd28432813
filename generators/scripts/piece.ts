/** scripts/: deploy, run the jobs, verify the encryption, tear down, and the settings they share. */
import { GUARD_PACKAGE, guardExceptions } from '../lib/guard-exceptions.js';
import { EMR_MANAGED_TAG, PLACEHOLDERS } from '../lib/model.js';
import type { Piece } from '../lib/piece.js';
import { documentFile, templateFile } from '../lib/render.js';

export const scriptsPiece: Piece = {
  name: 'scripts',
  description:
    'scripts/: project.env, lib.sh, deploy.sh, run-jobs.sh, verify-encryption.sh, teardown.sh, posture.sh and its reviewed guard exceptions',
  render({ model }) {
    const data = { placeholders: PLACEHOLDERS, guardPackage: GUARD_PACKAGE, emrManagedTag: EMR_MANAGED_TAG };
    const script = (name: string) => templateFile('scripts', `scripts/${name}`, model, { data, mode: 0o755 });
    return [
      templateFile('scripts', 'scripts/project.env', model, { data }),
      templateFile('scripts', 'scripts/lib.sh', model, { data }),
      script('deploy.sh'),
      script('run-jobs.sh'),
      script('verify-encryption.sh'),
      script('teardown.sh'),
      script('posture.sh'),
      documentFile('scripts', 'scripts/guard-exceptions.json', model, guardExceptions(model)),
    ];
  },
};
