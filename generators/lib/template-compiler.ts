/**
 * Build side of rendering: every templates/<piece>/*.ejs compiled by EJS into the body of its render function,
 * once, by the build (scripts/compile-templates.ts writes them to dist/templates.json). A run then only creates
 * the functions (render.ts) instead of parsing every template with EJS on every run (tens of milliseconds of a
 * full run; README, Performance). The source is exactly what `ejs.compile` would build for the same options
 * (EJS's own Template class makes it); `compileDebug` is off, so a failing template names no line.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import ejs from 'ejs';

/** One template's function body, as EJS compiles it (its parameters: render.ts, TEMPLATE_PARAMETERS). */
export function compileTemplate(text: string, filename: string): string {
  const template = new ejs.Template(text, { filename, async: false, compileDebug: false });
  template.compile();
  return String(template.source);
}

/** Every template under `dir`, by its path below it (`<piece>/<file>.ejs`). */
export function compileTemplates(dir: string): Record<string, string> {
  const compiled: Record<string, string> = {};
  for (const piece of readdirSync(dir).sort()) {
    for (const file of readdirSync(join(dir, piece)).sort()) {
      if (!file.endsWith('.ejs')) continue;
      const path = join(dir, piece, file);
      compiled[`${piece}/${file}`] = compileTemplate(readFileSync(path, 'utf8'), path);
    }
  }
  return compiled;
}
