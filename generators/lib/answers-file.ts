/** Reading `--answers FILE`: one JSON object of answers, or a problem naming the file and the fix. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AnswersError } from './answer-intake.js';

export function readAnswersFile(path: unknown): Record<string, unknown> | undefined {
  if (path === undefined) return undefined;
  if (typeof path !== 'string' || path === '') {
    throw new AnswersError([{ field: 'answers', message: 'expects a file path: --answers answers.json' }]);
  }
  let text: string;
  try {
    text = readFileSync(resolve(path), 'utf8');
  } catch {
    throw new AnswersError([{ field: 'answers', message: `cannot read ${path}; give the path of a JSON file` }]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new AnswersError([{ field: 'answers', message: `${path} is not valid JSON (${(error as Error).message})` }]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AnswersError([{ field: 'answers', message: `${path} must hold one JSON object of answers` }]);
  }
  return parsed as Record<string, unknown>;
}
