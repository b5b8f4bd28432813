/** Build step: writes dist/answers.schema.json from the answer declarations. `--readme` also refreshes the README's answers and pieces tables. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { answersJsonSchema, withAnswersTable } from '../generators/lib/docs.js';
import { PACKAGE_ROOT } from '../generators/lib/paths.js';
import { withPiecesTable } from '../generators/lib/pieces-docs.js';

writeFileSync(join(PACKAGE_ROOT, 'dist', 'answers.schema.json'), `${JSON.stringify(answersJsonSchema(), null, 2)}\n`);
if (process.argv.includes('--readme')) {
  const readme = join(PACKAGE_ROOT, 'README.md');
  writeFileSync(readme, withPiecesTable(withAnswersTable(readFileSync(readme, 'utf8'))));
}
