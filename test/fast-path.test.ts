/**
 * Issue 6: the fast path loads only what it needs. A resolve hook records the modules a `secure-emr` run loads:
 * a complete, offline run loads neither the prompt library (inquirer) nor the AWS SDK, nor prettier; the
 * paths that need them do load them (so the check can fail).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { BASE_ARGS, BIN, ROOT, isolatedEnv, run, tempDir } from './support/helpers.js';

const RECORDER = pathToFileURL(join(ROOT, 'dist', 'test', 'support', 'module-recorder.js')).href;
const REGISTER = `data:text/javascript,import { register } from 'node:module'; register(${JSON.stringify(RECORDER)});`;

function loadedPackages(
  args: string[],
  extraEnv: Record<string, string> = {},
): { status: number | null; packages: Set<string> } {
  const record = join(tempDir('modules-'), 'loaded.txt');
  const env = isolatedEnv({ RECORD_MODULES_TO: record, ...extraEnv });
  const r = run(process.execPath, ['--import', REGISTER, BIN, ...args], { cwd: tempDir(), env });
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
  const packages = new Set(
    urls.map((u) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u)?.[1]).filter((p): p is string => p !== undefined),
  );
  return { status: r.status, packages };
}

describe('what a run loads', () => {
  it('a complete offline run loads no prompt library, no AWS SDK and no prettier', () => {
    const { status, packages } = loadedPackages(BASE_ARGS);
    assert.equal(status, 0);
    for (const p of ['inquirer', '@inquirer/prompts', '@aws-sdk/client-sts', 'prettier'])
      assert.ok(!packages.has(p), `${p} was loaded`);
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
