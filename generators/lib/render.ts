/** Rendering: EJS templates from templates/<piece>/, then prettier for JSON, Markdown and YAML. */
import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import ejs from 'ejs';
import { TEMPLATES_DIR } from './paths.js';

const FORMATTED: Record<string, string> = { '.json': 'json', '.md': 'markdown', '.yml': 'yaml', '.yaml': 'yaml' };

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

let prettierModule: Promise<typeof import('prettier')> | undefined;

/** Formats by file name; files prettier does not own come back unchanged (and prettier is not loaded). */
export async function formatFor(path: string, contents: string): Promise<string> {
  const parser = FORMATTED[extname(path)];
  if (!parser) return contents;
  prettierModule ??= import('prettier');
  const prettier = await prettierModule;
  return prettier.format(contents, { parser, printWidth: 120, proseWrap: 'preserve' });
}
