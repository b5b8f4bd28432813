/**
 * `npm test`'s runner: every dist/test/*.test.js under `node --test`, two files at a time, the slow moto and
 * install files first so that the shorter files fill the other slot while they run (in name order, the longest
 * file would start last and the suite would end when it does). The order only changes when each file starts.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The longest files, longest first. */
const SLOW_FIRST = ['network-modes', 'e2e', 'cert-sources', 'install', 'guard', 'infra', 'write-safety', 'bench'];

const dir = fileURLToPath(new URL('../test/', import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.test.js'))
  .sort();
const rank = (f: string): number => {
  const i = SLOW_FIRST.indexOf(f.replace(/\.test\.js$/, ''));
  return i === -1 ? SLOW_FIRST.length : i;
};
const ordered = [...files].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
const r = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=2', ...ordered.map((f) => join(dir, f)), ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
process.exit(r.status ?? 1);
