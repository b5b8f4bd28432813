/**
 * Rendering: EJS templates from templates/<piece>/, then formatting in prettier's style without loading prettier:
 * JSON through json-format.ts, Markdown tables through markdown-format.ts; YAML templates are static and written
 * in prettier's style. test/format.test.ts checks every emitted JSON, Markdown and YAML file with prettier itself.
 * Templates only place values of the model; `<%= %>` never HTML-escapes (the emitted files are text, not HTML),
 * and each context escapes with its own helper below.
 */
import { readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import ejs from 'ejs';
import { formatJson } from './json-format.js';
import { formatMarkdown } from './markdown-format.js';
import type { Model } from './model.js';
import { TEMPLATES_DIR } from './paths.js';
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

const cache = new Map<string, string>();

export function renderTemplate(piece: string, file: string, data: object): string {
  const path = join(TEMPLATES_DIR, piece, file);
  let source = cache.get(path);
  if (source === undefined) {
    source = readFileSync(path, 'utf8');
    cache.set(path, source);
  }
  return ejs.render(source, { ...helpers, ...data }, { filename: path, async: false, escape: asText });
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
