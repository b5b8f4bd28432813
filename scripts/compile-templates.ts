/** Build step: compiles every template once into dist/templates.json (template-compiler.ts; render.ts reads it). */
import { writeFileSync } from 'node:fs';
import { COMPILED_TEMPLATES_PATH, TEMPLATES_DIR } from '../generators/lib/paths.js';
import { compileTemplates } from '../generators/lib/template-compiler.js';

writeFileSync(COMPILED_TEMPLATES_PATH, `${JSON.stringify(compileTemplates(TEMPLATES_DIR))}\n`);
