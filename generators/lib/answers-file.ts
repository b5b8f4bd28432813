/** Reading `--answers FILE`: one JSON object of answers, or a problem naming the file and the fix. */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { AnswersError, show } from './answer-intake.js';

import { MAX_ANSWERS_BYTES } from './answers-file-peek.js';

export { MAX_ANSWERS_BYTES };

const problem = (message: string): AnswersError => new AnswersError([{ field: 'answers', message }]);

export function readAnswersFile(path: unknown): Record<string, unknown> | undefined {
  if (path === undefined) return undefined;
  if (typeof path !== 'string' || path === '') throw problem('expects a file path: --answers answers.json');
  const shown = show(path);
  let size: number;
  try {
    // stat before open: a FIFO or a device (/dev/zero) is refused without being opened or read.
    const stat = statSync(resolve(path));
    if (!stat.isFile()) throw problem(`${shown} is not a regular file; give the path of a JSON file`);
    size = stat.size;
  } catch (error) {
    if (error instanceof AnswersError) throw error;
    throw problem(`cannot read ${shown}; give the path of a JSON file`);
  }
  if (size > MAX_ANSWERS_BYTES)
    throw problem(`${shown} is ${size} bytes; an answers file is at most ${MAX_ANSWERS_BYTES} bytes`);
  let text: string;
  try {
    text = readFileSync(resolve(path), 'utf8');
  } catch {
    throw problem(`cannot read ${shown}; give the path of a JSON file`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw problem(`${shown} is not valid JSON; fix it (answers.schema.json describes the fields) and run again`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw problem(`${shown} must hold one JSON object of answers`);
  }
  return parsed as Record<string, unknown>;
}
