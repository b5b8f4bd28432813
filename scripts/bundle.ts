/**
 * Build step: bundles the `secure-emr` bin and every generator entry (dist/generators/<name>/index.js, which yo
 * loads) with what they always need, sharing chunks under dist/chunks/, so a run parses a few large files
 * instead of resolving hundreds of small ESM modules (see README, Performance). The AWS SDK and the prompt
 * library stay outside: they are loaded only on the paths that need them.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import type { Plugin } from 'esbuild';
import { PACKAGE_ROOT } from '../generators/lib/paths.js';
import { GENERATOR_NAMES } from '../generators/lib/registry.js';

/** The package.json the source at `path` would read at run time: the one beside its dist/ folder. */
function ownPackage(path: string): { name: string; version: string } {
  const { name, version } = JSON.parse(readFileSync(join(dirname(path), '..', 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  return { name, version };
}

/** Sources that read their own package.json next to themselves at run time, which a bundle moves away from. */
const INLINE: Array<{ file: RegExp; from: string; to: (path: string) => string }> = [
  {
    file: /yeoman-generator[\\/]dist[\\/]generator\.js$/,
    from: "JSON.parse(readFileSync(pathJoin(_dirname, '../package.json'), 'utf8'))",
    to: (path) => JSON.stringify(ownPackage(path)),
  },
];

/**
 * Installing generators or dependencies (fly-import, latest-version) is never on this bin's path: they are
 * replaced by stubs that say so if ever called, which keeps npm's arborist and an HTTP client out of start-up.
 */
const UNAVAILABLE = `const unavailable = (what) => () => {
  throw new Error(what + ' is not available in the secure-emr bin; run the generator through yo');
};`;
const STUBS: Record<string, string> = {
  'fly-import': `${UNAVAILABLE}
export class FlyRepository {
  constructor(options) {
    this.repositoryPath = options?.repositoryPath;
    return new Proxy(this, { get: (target, key) => (key in target ? target[key] : unavailable('fly-import ' + String(key))) });
  }
}
export const flyImport = unavailable('fly-import');`,
  'latest-version': `${UNAVAILABLE}
export default unavailable('latest-version');`,
};

const fastPath: Plugin = {
  name: 'fast-path',
  setup(b) {
    for (const [name, contents] of Object.entries(STUBS)) {
      b.onResolve({ filter: new RegExp(`^${name}$`) }, () => ({ path: name, namespace: 'secure-emr-stub' }));
      b.onLoad({ filter: new RegExp(`^${name}$`), namespace: 'secure-emr-stub' }, () => ({ contents, loader: 'js' }));
    }
  },
};

const inlinePackageJson: Plugin = {
  name: 'inline-package-json',
  setup(b) {
    for (const { file, from, to } of INLINE) {
      b.onLoad({ filter: file }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        if (!source.includes(from))
          throw new Error(`bundle: ${args.path} no longer contains ${from}; update scripts/bundle.ts`);
        return { contents: source.replace(from, to(args.path)), loader: 'js' };
      });
    }
  },
};

const result = await build({
  entryPoints: [
    join(PACKAGE_ROOT, 'bin', 'secure-emr.ts'),
    ...GENERATOR_NAMES.map((name) => join(PACKAGE_ROOT, 'generators', name, 'index.ts')),
  ],
  outdir: join(PACKAGE_ROOT, 'dist'),
  outbase: PACKAGE_ROOT,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['@aws-sdk/client-sts', 'inquirer'],
  // CommonJS dependencies inside an ES module bundle expect require, __filename and __dirname.
  banner: {
    js: [
      '#!/usr/bin/env node',
      "import { createRequire as __createRequire } from 'node:module';",
      "import { fileURLToPath as __fileURLToPath } from 'node:url';",
      "import { dirname as __pathDirname } from 'node:path';",
      'const require = __createRequire(import.meta.url);',
      'const __bundleFilename = __fileURLToPath(import.meta.url);',
      'const __bundleDirname = __pathDirname(__bundleFilename);',
    ].join('\n'),
  },
  // Free __dirname/__filename of CommonJS code point at the bundle; modules that declare their own keep theirs.
  define: { __dirname: '__bundleDirname', __filename: '__bundleFilename' },
  plugins: [inlinePackageJson, fastPath],
  logLevel: 'warning',
  legalComments: 'none',
  minify: process.env.BUNDLE_MINIFY !== '0',
  metafile: true,
});

/**
 * The licences of what the bundle carries (legalComments is off, so this file is where they ship): every
 * package with a file in the bundle, its version, licence and licence text. dist/bundled-packages.json lists
 * the same packages for the tests (none may also be a runtime dependency; each must have its licence here).
 */
const bundled = new Map<string, string>();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(input);
  if (match?.[1] && match[2]) bundled.set(match[2], join(PACKAGE_ROOT, match[1]));
}
const sections = [...bundled.entries()]
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([name, dir]) => {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string; license?: string };
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text = file
      ? readFileSync(join(dir, file), 'utf8').trim()
      : `(no licence file in the package; package.json says ${pkg.license ?? 'nothing'})`;
    return `${name}@${pkg.version} (${pkg.license ?? 'see text'})\n${'-'.repeat(79)}\n${text}\n`;
  });
writeFileSync(
  join(PACKAGE_ROOT, 'dist', 'THIRD-PARTY-LICENSES.txt'),
  `Third-party software bundled in dist/ by generator-secure-emr's build (scripts/bundle.ts).\n\n${sections.join('\n')}`,
);
// What each output file holds (for `esbuild --analyze`-style questions: which chunk carries which package).
writeFileSync(join(PACKAGE_ROOT, 'dist', 'bundle-meta.json'), JSON.stringify(result.metafile));
writeFileSync(
  join(PACKAGE_ROOT, 'dist', 'bundled-packages.json'),
  `${JSON.stringify([...bundled.keys()].sort(), null, 2)}\n`,
);
