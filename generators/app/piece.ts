/** The repository skeleton: README, .gitignore, Makefile and the emitted repo's lint workflow. */
import { answersValuesTable } from '../lib/docs.js';
import { GUARD_PACKAGE } from '../lib/guard-exceptions.js';
import type { Piece } from '../lib/piece.js';
import { PIECES } from '../lib/registry.js';
import { templateFile } from '../lib/render.js';

export const appPiece: Piece = {
  name: 'app',
  description: 'the whole project: README.md, .gitignore, Makefile, the lint workflow and every piece below',
  render({ model }) {
    // The registry imports this module: PIECES is read at render time, when both are loaded.
    const pieceNames = PIECES.filter((p) => p !== appPiece).map((p) => p.name);
    const data = { answersTable: answersValuesTable(model.answers), pieceNames, guardPackage: GUARD_PACKAGE };
    return [
      templateFile('app', 'README.md', model, { data }),
      // Merged as a marked block into a .gitignore the repository already has: key material is always ignored.
      { ...templateFile('app', '.gitignore', model), mergeBlock: true },
      templateFile('app', 'Makefile', model),
      templateFile('app', '.github/workflows/lint.yml', model),
    ];
  },
};
