/**
 * Issue 17: a run writes what does not depend on new key material while the keys are still being made, and keeps
 * the order that crash safety needs. The run is made in this process (run-pieces.ts, as the bin makes it) with
 * Node's key generation held at a gate, so the files on disk can be looked at while the keys are pending.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PiecesRun } from '../generators/lib/run-pieces.js';
import { run, tempDir } from './support/helpers.js';

type GenerateKeyPair = typeof crypto.generateKeyPair;

/** Holds every key Node generates until `release`; `started` counts the keys asked for. */
type HeldKeys = { release: () => void; fail: () => void; restore: () => void; started: () => number };

function holdKeys(): HeldKeys {
  const original = crypto.generateKeyPair;
  const waiting: Array<(error?: Error) => void> = [];
  let state: 'hold' | 'open' | 'fail' = 'hold';
  let started = 0;
  const failure = () => new Error('key generation failed (test)');
  (crypto as { generateKeyPair: unknown }).generateKeyPair = (...args: unknown[]) => {
    started += 1;
    const callback = args.pop() as (...results: unknown[]) => void;
    (original as (...a: unknown[]) => void)(...args, (...results: unknown[]) => {
      const go = (error?: Error) => (error ? callback(error) : callback(...results));
      if (state === 'open') go();
      else if (state === 'fail') go(failure());
      else waiting.push(go);
    });
  };
  return {
    started: () => started,
    release: () => {
      state = 'open';
      for (const go of waiting.splice(0)) go();
    },
    /** The keys fail (held ones now, others when made), as key generation would on a machine out of memory. */
    fail: () => {
      state = 'fail';
      for (const go of waiting.splice(0)) go(failure());
    },
    restore: () => {
      (crypto as { generateKeyPair: GenerateKeyPair }).generateKeyPair = original;
    },
  };
}

/** Runs `body` with Node's key generation held (holdKeys), restoring it whatever happens. */
async function withHeldKeys(body: (keys: HeldKeys) => Promise<void>): Promise<void> {
  const keys = holdKeys();
  try {
    await body(keys);
  } finally {
    keys.restore();
  }
}

/** The run the bin makes for `secure-emr <name> <flags>`, without a terminal. */
function piecesRun(name: string, dir: string, flags: Record<string, unknown>): PiecesRun {
  const values = new Map<string, unknown>(Object.entries({ interactive: false, ...flags }));
  return new PiecesRun(name, dir, {
    flag: (n) => values.get(n),
    log: () => undefined,
    prompt: () => Promise.reject(new Error('no question expected')),
  });
}

const DEFAULTS = { defaults: true, offline: true, 'account-id': '123456789012', 'ssh-cidr': '203.0.113.0/24' };

/** Waits (briefly) until `done` holds; fails naming `what` otherwise. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(done(), `timed out waiting for ${what}`);
}

const manifestFiles = (dir: string): Record<string, unknown> =>
  (JSON.parse(readFileSync(join(dir, '.secure-emr/manifest.json'), 'utf8')) as { files: Record<string, unknown> })
    .files;

const certificateVersion = (dir: string): string =>
  /CERTIFICATE_VERSION=(\d+)/.exec(readFileSync(join(dir, 'scripts/project.env'), 'utf8'))?.[1] ?? '';

describe('write order while key material is made', () => {
  it('a first run writes the other files while its keys are pending, then the set, then the state', async () => {
    const dir = tempDir();
    await withHeldKeys(async (keys) => {
      const running = piecesRun('app', dir, DEFAULTS).run();
      await until(() => existsSync(join(dir, 'scripts/deploy.sh')), 'scripts/deploy.sh');
      await until(() => existsSync(join(dir, '.gitignore')), '.gitignore');
      await until(() => existsSync(join(dir, '.secure-emr/manifest.json')), 'the manifest of the early files');
      // The key set waits for its keys (the CA's and the leaf's); so do the files documenting it and the state.
      assert.equal(keys.started(), 2, 'both keys are being made');
      for (const f of ['certs/privateKey.pem', 'certs/certs.zip', 'certs/README.md'])
        assert.ok(!existsSync(join(dir, f)), `${f} is written only after the keys`);
      assert.ok(!existsSync(join(dir, '.yo-rc.json')), '.yo-rc.json is written last');
      // The manifest already describes what is on disk (and only that), for a run stopped here.
      const interim = manifestFiles(dir);
      assert.ok(interim['scripts/deploy.sh'], 'the files written early are in the manifest');
      assert.ok(!interim['certs/README.md'], 'not the README, which is not written yet');
      // What git ignores is in place before the first key byte.
      assert.match(readFileSync(join(dir, '.gitignore'), 'utf8'), /privateKey\.pem|\*\.pem/);
      keys.release();
      await running;
    });
    const verify = run('openssl', [
      'verify',
      '-CAfile',
      join(dir, 'certs/trustedCertificates.pem'),
      join(dir, 'certs/certificateChain.pem'),
    ]);
    assert.equal(verify.status, 0, verify.stderr);
    const manifest = JSON.parse(readFileSync(join(dir, '.secure-emr/manifest.json'), 'utf8')) as {
      files: Record<string, unknown>;
    };
    assert.ok(manifest.files['certs/README.md'], 'the README planned once ready is in the manifest');
    assert.ok(manifest.files['scripts/deploy.sh'], 'the files written early are in the manifest');
    assert.ok(!Object.keys(manifest.files).some((f) => f.endsWith('.pem') || f.endsWith('.zip')), 'no key material');
    const fingerprint = run('openssl', [
      'x509',
      '-in',
      join(dir, 'certs/certificateChain.pem'),
      '-noout',
      '-fingerprint',
      '-sha256',
    ])
      .stdout.replace(/^.*=/, '')
      .trim();
    assert.match(fingerprint, /^[0-9A-F:]{95}$/);
    assert.ok(
      readFileSync(join(dir, 'certs/README.md'), 'utf8').includes(`SHA-256 fingerprint: \`${fingerprint}\``),
      'certs/README.md documents the certificate that was made',
    );
  });

  it('a first run that fails while its keys are made leaves a project that a run with other answers completes', async () => {
    const dir = tempDir();
    await withHeldKeys(async (keys) => {
      const running = piecesRun('app', dir, DEFAULTS).run();
      await until(() => existsSync(join(dir, '.secure-emr/manifest.json')), 'the manifest of the early files');
      keys.fail();
      await assert.rejects(running, /key generation failed \(test\)/);
    });
    assert.ok(existsSync(join(dir, 'scripts/deploy.sh')));
    assert.ok(!existsSync(join(dir, 'certs/privateKey.pem')), 'no key material from the failed run');
    await piecesRun('app', dir, { ...DEFAULTS, region: 'eu-west-1' }).run();
    const left = run('find', [dir, '-name', '*.secure-emr-new']).stdout.trim();
    assert.equal(left, '', 'no file of the failed run is taken for an edited one');
    assert.match(readFileSync(join(dir, 'scripts/project.env'), 'utf8'), /eu-west-1/);
    assert.ok(existsSync(join(dir, 'certs/privateKey.pem')));
  });

  it('a rotation archives the current set while the keys are pending; the files naming the new version follow the set', async () => {
    const dir = tempDir();
    await piecesRun('app', dir, DEFAULTS).run();
    const oldKey = readFileSync(join(dir, 'certs/privateKey.pem'), 'utf8');
    await withHeldKeys(async (keys) => {
      const running = piecesRun('certs', dir, { rotate: true }).run();
      await until(() => existsSync(join(dir, 'certs/archive/v1/privateKey.pem')), 'the archive');
      assert.equal(keys.started(), 2, 'both keys are being made');
      assert.equal(readFileSync(join(dir, 'certs/archive/v1/privateKey.pem'), 'utf8'), oldKey);
      assert.equal(readFileSync(join(dir, 'certs/privateKey.pem'), 'utf8'), oldKey, 'the current set is in place');
      assert.equal(certificateVersion(dir), '1', 'no file names version 2 before its set exists');
      keys.release();
      await running;
    });
    assert.equal(certificateVersion(dir), '2');
    assert.notEqual(readFileSync(join(dir, 'certs/privateKey.pem'), 'utf8'), oldKey);
    assert.match(readFileSync(join(dir, 'certs/README.md'), 'utf8'), /version 2/);
  });
});
