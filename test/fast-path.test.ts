/**
 * Issues 6 and 17: the fast path loads only what it needs. A resolve hook records the modules a `secure-emr` run
 * loads; the bundle's metafile (dist/bundle-meta.json) says which packages each bundled file carries. A complete,
 * offline run loads neither the prompt library (inquirer), the AWS SDK, prettier, EJS (the build compiled the
 * templates) nor Yeoman (the bin runs run-pieces.ts itself); runs that make or check no certificate load no node-forge. The paths that need them do
 * load them (so each check can fail).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { BASE_ARGS, BIN, ROOT, generateProject, isolatedEnv, readJson, run, tempDir } from './support/helpers.js';

const RECORDER = pathToFileURL(join(ROOT, 'dist', 'test', 'support', 'module-recorder.js')).href;
const REGISTER = `data:text/javascript,import { register } from 'node:module'; register(${JSON.stringify(RECORDER)});`;

type Meta = { outputs: Record<string, { inputs: Record<string, unknown>; imports: Array<{ path: string }> }> };
const META = readJson<Meta>(join(ROOT, 'dist', 'bundle-meta.json'));
const packageOf = (path: string): string | undefined => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];

/** The packages a bundled output file carries (its own inputs only, not the chunks it imports). */
function bundledIn(output: string): string[] {
  return Object.keys(META.outputs[output]?.inputs ?? {})
    .map(packageOf)
    .filter((p): p is string => p !== undefined);
}

const YEOMAN = ['yeoman-environment', 'yeoman-generator', 'mem-fs-editor', '@yeoman/adapter', 'lodash-es', 'execa'];

function loadedPackages(
  args: string[],
  extraEnv: Record<string, string> = {},
  cwd = tempDir(),
): { status: number | null; packages: Set<string>; output: string } {
  const record = join(tempDir('modules-'), 'loaded.txt');
  const env = isolatedEnv({ RECORD_MODULES_TO: record, ...extraEnv });
  const r = run(process.execPath, ['--import', REGISTER, BIN, ...args], { cwd, env });
  let urls: string[] = [];
  try {
    urls = readFileSync(record, 'utf8').split('\n').filter(Boolean);
  } catch {
    urls = [];
  }
  assert.ok(
    urls.some((u) => u.endsWith('/dist/bin/secure-emr.js')),
    'the recorder saw the run',
  );
  const packages = new Set<string>();
  for (const url of urls) {
    if (!url.startsWith('file:')) continue;
    const path = fileURLToPath(url);
    const own = packageOf(path);
    if (own !== undefined) packages.add(own);
    else for (const p of bundledIn(relative(ROOT, path).split('\\').join('/'))) packages.add(p);
  }
  // Whatever the run: the build compiled the templates (dist/templates.json), so EJS never loads.
  assert.ok(!packages.has('ejs'), `ejs was loaded by secure-emr ${args.join(' ')}`);
  return { status: r.status, packages, output: r.stdout + r.stderr };
}

describe('what a run loads', () => {
  it('a complete offline run loads no prompt library, no AWS SDK, no prettier and no Yeoman', () => {
    const { status, packages, output } = loadedPackages(BASE_ARGS);
    assert.equal(status, 0, output);
    for (const p of ['inquirer', '@inquirer/prompts', '@aws-sdk/client-sts', 'prettier', ...YEOMAN])
      assert.ok(!packages.has(p), `${p} was loaded`);
    assert.ok(packages.has('node-forge'), `it makes a certificate: ${[...packages].join(', ')}`);
  });

  it('the generator entries yo loads do carry Yeoman (so the check above can fail)', () => {
    const entry = 'dist/generators/app/index.js';
    const reachable = new Set<string>();
    const walk = (output: string): void => {
      if (reachable.has(output)) return;
      reachable.add(output);
      for (const i of META.outputs[output]?.imports ?? []) if (i.path.startsWith('dist/')) walk(i.path);
    };
    walk(entry);
    const packages = new Set([...reachable].flatMap(bundledIn));
    for (const p of ['yeoman-generator', 'mem-fs-editor', 'lodash-es', 'ejs']) assert.ok(packages.has(p), p);
  });

  it('runs that make or check no certificate load no node-forge', () => {
    const project = generateProject();
    for (const args of [[...BASE_ARGS, '--dry-run'], ['--help'], ['kms'], ['certs', '--check']]) {
      const cwd = args[0] === '--help' || args.includes('--dry-run') ? tempDir() : project;
      const { status, packages, output } = loadedPackages(args, {}, cwd);
      assert.equal(status, 0, `${args.join(' ')}: ${output}`);
      assert.ok(!packages.has('node-forge'), `${args.join(' ')} loaded node-forge`);
      for (const p of YEOMAN) assert.ok(!packages.has(p), `${args.join(' ')} loaded ${p}`);
    }
    const rotate = loadedPackages(['certs', '--rotate'], {}, project);
    assert.equal(rotate.status, 0, rotate.output);
    assert.ok(rotate.packages.has('node-forge'), 'a rotation makes a certificate');
  });

  it('an interactive run loads the prompt library', () => {
    const { packages } = loadedPackages(['--offline', '--interactive']);
    assert.ok(packages.has('inquirer'), [...packages].join(', '));
  });

  it('an account lookup loads the AWS SDK', () => {
    const { packages } = loadedPackages(['--defaults', '--ssh-cidr', '203.0.113.0/24'], {
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    });
    assert.ok(packages.has('@aws-sdk/client-sts'), [...packages].join(', '));
  });
});
