/** Where the package's own files are, wherever the code runs from (dist/ after tsc, or a bundle). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(start: string): string {
  let dir = start;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string };
      if (name === 'generator-secure-emr') return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`generator-secure-emr: package root not found above ${start}`);
    dir = parent;
  }
}

export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
export const TEMPLATES_DIR = join(PACKAGE_ROOT, 'templates');
/** The templates as the build compiled them (scripts/compile-templates.ts), read by render.ts. */
export const COMPILED_TEMPLATES_PATH = join(PACKAGE_ROOT, 'dist', 'templates.json');

let version: string | undefined;

export function packageVersion(): string {
  version ??= (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}
