/**
 * The answers file as the bin's first lines glance at it, before the run loads (early-keys.ts: which keys to
 * start): lenient, since the run itself reads it again through answers-file.ts and reports every problem. Small on
 * purpose, like early-keys.ts.
 */
import { readFileSync, statSync } from 'node:fs';

/** An answers file holds a few hundred bytes; anything past this is not one. */
export const MAX_ANSWERS_BYTES = 64 * 1024;

/** The file's JSON object, or undefined for anything else (never opens a FIFO or a device, never throws). */
export function peekAnswersFile(path: string): Record<string, unknown> | undefined {
  try {
    const stat = statSync(path);
    if (!stat.isFile() || stat.size > MAX_ANSWERS_BYTES) return undefined;
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
