/** Issue 2: the `secure-emr` bin and the real `yo` binary as child processes; the STS lookup's fallbacks. */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BASE_ARGS, ROOT, YO, isolatedEnv, readJson, run, secureEmr, tempDir, yoSandbox } from './support/helpers.js';

describe('secure-emr bin', () => {
  it('generates the project with exit code 0', () => {
    const dir = tempDir();
    const r = secureEmr(dir, BASE_ARGS);
    assert.equal(r.status, 0, r.stderr);
    for (const f of [
      'README.md',
      '.gitignore',
      '.yo-rc.json',
      'cfn/kms.json',
      'cfn/environment.json',
      'emr/security-configuration.json',
      'certs/certs.zip',
      'scripts/deploy.sh',
      'ssh-commands.txt',
      'jobs/test.py',
    ]) {
      assert.ok(existsSync(join(dir, f)), f);
    }
    assert.equal(run('git', ['init', '-q'], { cwd: dir }).status, 0);
    const gitignore = run('git', ['check-ignore', 'certs/privateKey.pem', 'certs/certs.zip'], { cwd: dir });
    assert.equal(gitignore.status, 0, 'the private key is git-ignored in the emitted repo');
    // The temporary file of a write an interruption stopped may hold key material (writer.ts names it so).
    const temp = run('git', ['check-ignore', '-q', 'certs/.4242.1764200000000.0.secure-emr-tmp'], { cwd: dir });
    assert.equal(temp.status, 0, "an interrupted write's temporary file is git-ignored");
    assert.notEqual(run('git', ['check-ignore', '-q', 'scripts/deploy.sh'], { cwd: dir }).status, 0, 'control');
  });

  it('with a bad answers file: non-zero exit, every bad field named, the folder untouched', () => {
    const dir = tempDir();
    const file = join(tempDir(), 'answers.json');
    writeFileSync(
      file,
      JSON.stringify({
        region: 'moon-1',
        accountId: '12',
        bucketName: 'Bad_Bucket',
        certKeySize: 1024,
        colour: 'blue',
      }),
    );
    const r = secureEmr(dir, ['--answers', file, '--defaults', '--offline', '--ssh-cidr', '203.0.113.0/24']);
    assert.notEqual(r.status, 0);
    for (const field of ['region', 'accountId', 'bucketName', 'certKeySize', 'colour'])
      assert.match(r.stderr, new RegExp(`- ${field}: `), field);
    assert.match(r.stderr, /nothing was written/);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('with stdin closed and answers missing: non-zero exit with the missing fields, nothing written', () => {
    const dir = tempDir();
    const r = secureEmr(dir, ['--offline']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /- accountId: missing/);
    assert.match(r.stderr, /- sshCidr: missing/);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('rejects an unknown generator with usage and exit code 2', () => {
    const r = secureEmr(tempDir(), ['nonsense']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown generator "nonsense"/);
  });

  it('a subgenerator reuses the stored answers', () => {
    const dir = tempDir();
    assert.equal(secureEmr(dir, [...BASE_ARGS, '--region', 'eu-central-1']).status, 0);
    const r = secureEmr(dir, ['kms']);
    assert.equal(r.status, 0, r.stderr);
    const conf = readJson<Record<string, Record<string, unknown>>>(join(dir, '.yo-rc.json'))['generator-secure-emr'];
    assert.equal(conf?.region, 'eu-central-1');
  });
});

describe('the real yo binary', () => {
  it('runs yo secure-emr non-interactively against the built package', () => {
    const { target, env } = yoSandbox();
    chmodSync(ROOT, 0o755);
    const r = run(YO, ['secure-emr', ...BASE_ARGS, '--no-insight'], { cwd: target, env });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.ok(existsSync(join(target, 'cfn', 'kms.json')));
    assert.ok(existsSync(join(target, 'certs', 'privateKey.pem')));
  });
});

describe('STS account lookup', () => {
  it('without credentials: falls back at once and says why', () => {
    const dir = tempDir();
    const r = secureEmr(dir, ['--defaults', '--ssh-cidr', '203.0.113.0/24', '--account-id', '123456789012']);
    assert.equal(r.status, 0, r.stderr);
    const r2 = secureEmr(tempDir(), ['--defaults', '--ssh-cidr', '203.0.113.0/24']);
    assert.notEqual(r2.status, 0);
    assert.match(r2.stdout + r2.stderr, /Account id not looked up: no AWS credentials found/);
    assert.match(r2.stderr, /- accountId: missing/);
  });

  // Not a timed test: the run must end on the lookup's own 3 s timeout (its message says so), not on an error.
  it('with an endpoint that never answers: the lookup times out and falls back', async () => {
    const sockets: import('node:net').Socket[] = [];
    const server = createServer((s) => sockets.push(s)); // accepts, never answers
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const dir = tempDir();
    const env = isolatedEnv({
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
    });
    const { spawn } = await import('node:child_process');
    const child = spawn(
      process.execPath,
      [
        join(ROOT, 'dist', 'bin', 'secure-emr.js'),
        '--defaults',
        '--ssh-cidr',
        '203.0.113.0/24',
        '--account-id',
        '123456789012',
      ],
      { cwd: dir, env, stdio: 'ignore' },
    );
    const code1 = await new Promise<number | null>((res) => child.on('exit', res));
    assert.equal(code1, 0, 'account id given: no lookup at all');
    const out: string[] = [];
    const child2 = spawn(
      process.execPath,
      [join(ROOT, 'dist', 'bin', 'secure-emr.js'), '--defaults', '--ssh-cidr', '203.0.113.0/24'],
      { cwd: tempDir(), env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child2.stdout.on('data', (d: Buffer) => out.push(d.toString()));
    child2.stderr.on('data', (d: Buffer) => out.push(d.toString()));
    const code2 = await new Promise<number | null>((res) => child2.on('exit', res));
    for (const s of sockets) s.destroy();
    server.close();
    assert.match(out.join(''), /Account id not looked up: STS did not answer within 3 s/);
    assert.notEqual(code2, 0, 'no account id: the missing field is reported');
  });

  it('with moto-like credentials answering: uses the account from STS', async () => {
    const { startMoto } = await import('./support/helpers.js');
    const moto = await startMoto();
    try {
      const dir = tempDir();
      const r = secureEmr(
        dir,
        ['--defaults', '--ssh-cidr', '203.0.113.0/24'],
        moto.env({ NODE_EXTRA_CA_CERTS: moto.caBundle }),
      );
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout + r.stderr, /Account id 123456789012 \(from STS GetCallerIdentity\)/);
      const conf = readJson<Record<string, Record<string, unknown>>>(join(dir, '.yo-rc.json'))['generator-secure-emr'];
      assert.equal(conf?.accountId, '123456789012');
    } finally {
      moto.stop();
    }
  });
});
