/**
 * Rendering: EJS templates from templates/<piece>/, then formatting in prettier's style without loading prettier:
 * JSON through json-format.ts, Markdown tables through markdown-format.ts; YAML templates are static and written
 * in prettier's style. test/format.test.ts checks every emitted JSON, Markdown and YAML file with prettier itself.
 */
import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import ejs from 'ejs';
import { formatJson } from './json-format.js';
import { formatMarkdown } from './markdown-format.js';
import { TEMPLATES_DIR } from './paths.js';

/** Helpers every template may call. */
const helpers = {
  /** A value as JSON (for CloudFormation and the security configuration). */
  json: (value: unknown): string => JSON.stringify(value),
  /** A value quoted for bash, single quotes. */
  sh: (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`,
};

export function renderTemplate(piece: string, file: string, data: object): string {
  const path = join(TEMPLATES_DIR, piece, file);
  const source = readFileSync(path, 'utf8');
  return ejs.render(source, { ...helpers, ...data }, { filename: path, async: false });
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
