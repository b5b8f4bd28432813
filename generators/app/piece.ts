/** The repository skeleton: README, .gitignore, Makefile and the emitted repo's lint workflow. */
import { answersValuesTable } from '../lib/docs.js';
import type { Piece } from '../lib/piece.js';
import { renderTemplate } from '../lib/render.js';

export const appPiece: Piece = {
  name: 'app',
  namesCertificate: true,
  render({ model }) {
    const data = { m: model, a: model.answers, answersTable: answersValuesTable(model.answers) };
    return [
      { path: 'README.md', contents: renderTemplate('app', 'README.md.ejs', data) },
      // npm drops .gitignore from published packages: the template is stored as _gitignore.
      { path: '.gitignore', contents: renderTemplate('app', '_gitignore.ejs', data) },
      { path: 'Makefile', contents: renderTemplate('app', 'Makefile.ejs', data) },
      { path: '.github/workflows/lint.yml', contents: renderTemplate('app', 'lint.yml.ejs', data) },
    ];
  },
};
