/**
 * Rendering: EJS templates from templates/<piece>/ (compiled by the build, template-compiler.ts), then formatting in
 * prettier's style without loading prettier:
 * JSON through json-format.ts, Markdown tables through markdown-format.ts; YAML templates are static and written
 * in prettier's style. test/format.test.ts checks every emitted JSON, Markdown and YAML file with prettier itself.
 * Templates only place values of the model; `<%= %>` never HTML-escapes (the emitted files are text, not HTML),
 * and each context escapes with its own helper below.
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { formatJson } from './json-format.js';
import { formatMarkdown } from './markdown-format.js';
import type { Model } from './model.js';
import { COMPILED_TEMPLATES_PATH } from './paths.js';
import type { OutputFile } from './piece.js';

/** Helpers every template may call. */
const helpers = {
  /** A value as JSON (for CloudFormation and the security configuration). */
  json: (value: unknown): string => JSON.stringify(value),
  /** A value quoted for bash, single quotes. */
  sh: (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`,
};

/** Text templates: `<%= %>` places the value as it is. */
const asText = (value: unknown): string => (value === undefined || value === null ? '' : String(value));

/** The parameters EJS gives a compiled template's function (ejs.js, Template#compile). */
const TEMPLATE_PARAMETERS = 'locals, escapeFn, include, rethrow';

/** A compiled template (template-compiler.ts); this project's templates use no include. */
type TemplateFunction = (locals: object, escapeFn: (value: unknown) => string) => string;

let sources: Record<string, string> | undefined;
const functions = new Map<string, TemplateFunction>();

function templateFunction(key: string): TemplateFunction {
  let fn = functions.get(key);
  if (fn !== undefined) return fn;
  try {
    sources ??= JSON.parse(readFileSync(COMPILED_TEMPLATES_PATH, 'utf8')) as Record<string, string>;
  } catch (error) {
    throw new Error(`${COMPILED_TEMPLATES_PATH} cannot be read (${String(error)}); run \`npm run build\`.`);
  }
  const source = sources[key];
  if (source === undefined) throw new Error(`No template ${key} in ${COMPILED_TEMPLATES_PATH}; run \`npm run build\`.`);
  // What ejs.compile does with the source it builds (ejs.js, Template#compile): a sloppy-mode function, since the
  // source reads the locals through `with`.
  fn = new Function(TEMPLATE_PARAMETERS, source) as TemplateFunction;
  functions.set(key, fn);
  return fn;
}

export function renderTemplate(piece: string, file: string, data: object): string {
  // The locals on a null-prototype object, as EJS passes them, so that no Object.prototype name is taken for a
  // local. A name that is not a local falls through `with` to the globals, as under EJS: the templates are the
  // package's own, and test/snapshot.test.ts pins what they render.
  return templateFunction(`${piece}/${file}`)(Object.assign(Object.create(null) as object, helpers, data), asText);
}

/**
 * One emitted file from its template, templates/<piece>/<file name>.ejs (a leading dot becomes `_`: npm drops
 * dotfiles such as .gitignore from published packages). Templates see the model as `m`, the answers as `a`.
 */
export function templateFile(
  piece: string,
  path: string,
  m: Model,
  options: { mode?: number; data?: object } = {},
): OutputFile {
  const name = basename(path).replace(/^\./, '_');
  const contents = renderTemplate(piece, `${name}.ejs`, { m, a: m.answers, ...options.data });
  return options.mode === undefined ? { path, contents } : { path, contents, mode: options.mode };
}

/** A JSON document placed by its template (the template only places the typed value built in TypeScript). */
export function documentFile(piece: string, path: string, m: Model, document: object): OutputFile {
  return templateFile(piece, path, m, { data: { document } });
}

/** Formats by file name; other files come back unchanged. */
export function formatFor(path: string, contents: string): string {
  switch (extname(path)) {
    case '.json':
      return formatJson(JSON.parse(contents));
    case '.md':
      return formatMarkdown(contents);
    default:
      return contents;
  }
}
