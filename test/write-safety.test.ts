/**
 * Issue 11: every write survives crashes, races, symlinks and hostile answers. Runs the built CLI for real:
 * SIGKILL at many instants, a held lock, symlinks, a repository with its own .gitignore, special answers files
 * and hostile values in every free-text answer.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { ANSWER_SPECS } from '../generators/lib/answers.js';
import {
  BASE_ARGS,
  BIN,
  changedFiles,
  generateProject,
  isolatedEnv,
  run,
  secureEmr,
  tempDir,
  treeHashes,
} from './support/helpers.js';

const out = (r: { stdout: string; stderr: string }): string => r.stdout + r.stderr;

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}

function modulus(kind: 'rsa' | 'x509', file: string): string {
  return run('openssl', [kind, '-in', file, '-noout', '-modulus']).stdout.trim();
}

/** Starts the CLI and kills it with SIGKILL after `ms`; resolves when it is gone. */
function killAfter(cwd: string, args: string[], ms: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: isolatedEnv(), stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Starts the CLI, sends `signal` after `ms`, and resolves with how it ended and what it printed. */
function signalAfter(
  cwd: string,
  args: string[],
  signal: NodeJS.Signals,
  ms: number,
): Promise<{ status: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: isolatedEnv(),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill(signal), ms);
    child.on('close', (status, got) => {
      clearTimeout(timer);
      resolve({ status, signal: got, stderr });
    });
  });
}

/** After any run: no empty or partial file, no temporary file left in place of one. */
function assertNoTornFiles(dir: string): void {
  for (const file of allFiles(dir)) {
    if (file.endsWith('.secure-emr-tmp')) continue; // a temporary file is never a project file
    if (relative(dir, file) === '.secure-emr/lock') continue;
    assert.ok(statSync(file).size > 0, `${relative(dir, file)} is empty`);
  }
  for (const json of allFiles(dir).filter((f) => f.endsWith('.json'))) JSON.parse(readFileSync(json, 'utf8'));
}

/** The key, the certificate and the zip agree. */
function assertConsistentKeys(dir: string): void {
  const certs = join(dir, 'certs');
  assert.equal(
    modulus('rsa', join(certs, 'privateKey.pem')),
    modulus('x509', join(certs, 'certificateChain.pem')),
    'key matches certificate',
  );
  const unzipped = tempDir('unzip-');
  assert.equal(run('unzip', ['-q', join(certs, 'certs.zip'), '-d', unzipped]).status, 0);
  for (const name of ['privateKey.pem', 'certificateChain.pem', 'trustedCertificates.pem']) {
    assert.deepEqual(readFileSync(join(unzipped, name)), readFileSync(join(certs, name)), `zip member ${name}`);
  }
}

describe('crash safety: SIGKILL at many instants, then a normal run', () => {
  it('first runs killed anywhere leave no torn file; the next run completes with consistent key material', async () => {
    for (let ms = 40; ms <= 680; ms += 40) {
      const dir = tempDir();
      await killAfter(dir, BASE_ARGS, ms);
      assertNoTornFiles(dir);
      const r = secureEmr(dir, BASE_ARGS);
      assert.equal(r.status, 0, `after a kill at ${ms} ms: ${out(r)}`);
      assertNoTornFiles(dir);
      assertConsistentKeys(dir);
    }
  });

  it('rotations killed anywhere: the previous key is always recoverable, the next run completes or refuses clearly', async () => {
    const dir = generateProject();
    const keys = new Set<string>([readFileSync(join(dir, 'certs/privateKey.pem'), 'utf8')]);
    const version = (): number =>
      Number(/CERTIFICATE_VERSION=(\d+)/.exec(readFileSync(join(dir, 'scripts/project.env'), 'utf8'))?.[1]);
    for (let ms = 40; ms <= 600; ms += 40) {
      const before = { key: readFileSync(join(dir, 'certs/privateKey.pem'), 'utf8'), version: version() };
      await killAfter(dir, ['certs', '--rotate'], ms);
      assertNoTornFiles(dir);
      const r = secureEmr(dir, []);
      assert.equal(r.status, 0, `after a rotation killed at ${ms} ms: ${out(r)}`);
      assertNoTornFiles(dir);
      assertConsistentKeys(dir);
      // Every key this project ever had is the current one or in certs/archive/.
      const current = readFileSync(join(dir, 'certs/privateKey.pem'), 'utf8');
      const archived = existsSync(join(dir, 'certs/archive'))
        ? allFiles(join(dir, 'certs/archive'))
            .filter((f) => f.endsWith('privateKey.pem'))
            .map((f) => readFileSync(f, 'utf8'))
        : [];
      for (const key of keys)
        assert.ok(key === current || archived.includes(key), `a key was lost after a kill at ${ms} ms`);
      // A new set is always under a new version (never the new key under the old version, nor the reverse).
      assert.equal(version(), current === before.key ? before.version : before.version + 1, `version after ${ms} ms`);
      keys.add(current);
    }
  });
});

describe('interrupted runs release the lock', () => {
  it('SIGINT or SIGTERM at any instant of a rotation: no lock left, the next run takes nothing over', async () => {
    const dir = generateProject();
    for (let ms = 40; ms <= 1000; ms += 80) {
      const signal: NodeJS.Signals = ms % 160 === 40 ? 'SIGINT' : 'SIGTERM';
      const r = await signalAfter(dir, ['certs', '--rotate'], signal, ms);
      assert.equal(
        existsSync(join(dir, '.secure-emr/lock')),
        false,
        `lock left after ${signal} at ${ms} ms: ${r.stderr}`,
      );
      if (r.status === 130 || r.status === 143) {
        assert.equal(r.status, signal === 'SIGINT' ? 130 : 143);
        assert.match(r.stderr, new RegExp(`Interrupted \\(${signal}\\); files written so far are complete`));
      }
      assertNoTornFiles(dir);
      const next = secureEmr(dir, []);
      assert.equal(next.status, 0, `after ${signal} at ${ms} ms: ${out(next)}`);
      assert.doesNotMatch(out(next), /Took over/, 'the interrupted run left no lock to take over');
      assertConsistentKeys(dir);
    }
    // Which instants fall while the lock is held depends on the machine; test/writer.test.ts signals a process
    // that certainly holds it.
  });
});

describe('races, symlinks and the repository around the project', () => {
  it('a second run while one holds the lock fails at once naming the holder; a lock of a dead process is taken over', () => {
    const dir = generateProject();
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      writeFileSync(
        join(dir, '.secure-emr/lock'),
        JSON.stringify({ pid: sleeper.pid, host: run('hostname', []).stdout.trim(), since: 'now' }),
      );
      const before = treeHashes(dir);
      const r = secureEmr(dir, ['certs', '--rotate']);
      assert.notEqual(r.status, 0);
      assert.match(out(r), new RegExp(`another secure-emr run holds \\.secure-emr/lock \\(process ${sleeper.pid} `));
      assert.deepEqual(changedFiles(before, treeHashes(dir)), []);
    } finally {
      sleeper.kill();
    }
    writeFileSync(
      join(dir, '.secure-emr/lock'),
      JSON.stringify({ pid: 999999, host: run('hostname', []).stdout.trim(), since: 'then' }),
    );
    const taken = secureEmr(dir, []);
    assert.equal(taken.status, 0, out(taken));
    assert.match(out(taken), /Took over \.secure-emr\/lock left by process 999999/);
    assert.equal(existsSync(join(dir, '.secure-emr/lock')), false, 'released at the end');
  });

  it('two rotations started at once: each one that ran moved the version by one; any other failed naming the lock', async () => {
    const dir = generateProject();
    const runOnce = () =>
      new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = spawn(process.execPath, [BIN, 'certs', '--rotate'], { cwd: dir, env: isolatedEnv() });
        let output = '';
        child.stdout.on('data', (d: Buffer) => (output += d.toString()));
        child.stderr.on('data', (d: Buffer) => (output += d.toString()));
        child.on('exit', (code) => resolve({ code, output }));
      });
    const results = await Promise.all([runOnce(), runOnce()]);
    const succeeded = results.filter((r) => r.code === 0).length;
    assert.ok(succeeded >= 1, results.map((r) => r.output).join('\n'));
    for (const r of results.filter((x) => x.code !== 0))
      assert.match(r.output, /another secure-emr run holds \.secure-emr\/lock/);
    const stored = JSON.parse(readFileSync(join(dir, '.yo-rc.json'), 'utf8')) as Record<
      string,
      { certificateVersion: number }
    >;
    assert.equal(stored['generator-secure-emr']?.certificateVersion, 1 + succeeded);
    assertConsistentKeys(dir);
    assert.match(readFileSync(join(dir, 'certs/README.md'), 'utf8'), new RegExp(`version ${1 + succeeded}\\)`));
  });

  it('never writes through a symlink: a symlinked README.md and a dangling symlink for the private key are refused', () => {
    const dir = generateProject();
    const outside = join(tempDir(), 'elsewhere.md');
    writeFileSync(outside, 'not yours\n');
    const readme = join(dir, 'README.md');
    run('rm', [readme]);
    symlinkSync(outside, readme);
    const r = secureEmr(dir, ['--region', 'eu-west-1']);
    assert.notEqual(r.status, 0);
    assert.match(out(r), /refusing to write README\.md: README\.md is a symlink/);
    assert.equal(readFileSync(outside, 'utf8'), 'not yours\n');

    const fresh = tempDir();
    mkdirSync(join(fresh, 'certs'));
    const target = join(tempDir(), 'stolen.pem');
    symlinkSync(target, join(fresh, 'certs/privateKey.pem'));
    const first = secureEmr(fresh, BASE_ARGS);
    assert.notEqual(first.status, 0);
    assert.match(out(first), /certs\/privateKey\.pem is a symlink/);
    assert.equal(existsSync(target), false, 'nothing written through the dangling link');
  });

  it('an existing .gitignore gets the rules as a marked block; git add -A stages no key material', () => {
    const dir = tempDir();
    assert.equal(run('git', ['init', '-q', dir]).status, 0);
    writeFileSync(join(dir, '.gitignore'), 'node_modules/\n');
    generateProject([], dir);
    const ignore = readFileSync(join(dir, '.gitignore'), 'utf8');
    assert.match(ignore, /^node_modules\/$/m, 'the repository lines are kept');
    assert.match(ignore, /# >>> generator-secure-emr[\s\S]*certs\/\*\.pem[\s\S]*# <<< generator-secure-emr/);
    assert.equal(existsSync(join(dir, '.gitignore.secure-emr-new')), false);
    assert.equal(secureEmr(dir, ['certs', '--rotate']).status, 0);
    assert.equal(readFileSync(join(dir, '.gitignore'), 'utf8'), ignore, 'a re-run leaves the merged file as it is');
    const env = {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
    };
    assert.equal(run('git', ['-C', dir, 'add', '-A'], { env }).status, 0);
    const staged = run('git', ['-C', dir, 'diff', '--cached', '--name-only'], { env })
      .stdout.split('\n')
      .filter(Boolean);
    assert.ok(staged.includes('README.md') && staged.includes('.gitignore'), staged.join(', '));
    for (const file of staged)
      assert.doesNotMatch(file, /\.pem$|\.zip$|^certs\/archive\/|\.secure-emr\/lock/, `${file} was staged`);
    for (const file of staged)
      assert.doesNotMatch(readFileSync(join(dir, file), 'utf8'), /PRIVATE KEY-----/, `${file} holds a key`);
  });

  it('a damaged .yo-rc.json is refused with the file named and the fix', () => {
    const dir = generateProject();
    writeFileSync(join(dir, '.yo-rc.json'), '');
    const r = secureEmr(dir, []);
    assert.notEqual(r.status, 0);
    assert.match(out(r), /\.yo-rc\.json is empty; restore it from git, or delete it/);
    assert.doesNotMatch(out(r), /Unexpected end of JSON input|at .*\.js:\d+/);
  });
});

describe('inputs', () => {
  it('the answers file must be a regular file of sane size: /dev/zero, a FIFO and a huge file are refused at once', () => {
    const dir = tempDir();
    const fifo = join(tempDir(), 'answers.fifo');
    assert.equal(run('mkfifo', [fifo]).status, 0);
    const huge = join(tempDir(), 'huge.json');
    writeFileSync(huge, `{"projectName":"${'a'.repeat(100_000)}"}`);
    for (const [file, why] of [
      ['/dev/zero', /is not a regular file/],
      [fifo, /is not a regular file/],
      [huge, /is 100018 bytes; an answers file is at most 65536 bytes/],
    ] as const) {
      // A read of the FIFO or of /dev/zero would block or grow without end: the run must end by itself.
      const r = spawnSync(process.execPath, [BIN, '--answers', file, '--offline'], {
        cwd: dir,
        env: isolatedEnv(),
        encoding: 'utf8',
        timeout: 60_000,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      assert.equal(r.signal, null, `${file}: the run had to be killed`);
      assert.notEqual(r.status, 0);
      assert.match(out(r), why);
    }
    assert.deepEqual(readdirSync(dir), []);
  });

  it('a misspelt field in the answers file gets a suggestion', () => {
    const file = join(tempDir(), 'answers.json');
    writeFileSync(file, JSON.stringify({ regoin: 'eu-west-1' }));
    const dir = tempDir();
    const r = secureEmr(dir, ['--answers', file, ...BASE_ARGS]);
    assert.notEqual(r.status, 0);
    assert.match(out(r), /- regoin: unknown field in the answers file; did you mean "region"\?/);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('choices and numbers are strict: no arrays, no 1e300', () => {
    const file = join(tempDir(), 'answers.json');
    writeFileSync(
      file,
      JSON.stringify({ s3EncryptionMode: ['CSE-KMS'], coreInstanceCount: 1e300, certKeySize: [2048] }),
    );
    const dir = tempDir();
    const r = secureEmr(dir, ['--answers', file, ...BASE_ARGS]);
    assert.notEqual(r.status, 0);
    for (const field of ['s3EncryptionMode', 'coreInstanceCount', 'certKeySize'])
      assert.match(out(r), new RegExp(`- ${field}: `));
    assert.deepEqual(readdirSync(dir), []);
  });

  it('hostile values in every free-text answer are refused with the field named, echoed safely, nothing written', () => {
    const hostile = [
      'x$(touch /tmp/pwned)',
      'x`id`',
      'x|y',
      'x\ny',
      '<b>x</b>',
      'x"y',
      'x;rm -rf ~',
      'x,AdditionalMasterSecurityGroups=[sg-1]',
    ];
    const free = ANSWER_SPECS.filter((s) => s.kind === 'string').map((s) => s.name);
    assert.ok(free.length >= 17, free.join());
    for (const value of hostile) {
      const file = join(tempDir(), 'answers.json');
      // pem-files makes the certificate file paths needed (and so checked) too.
      const values = { ...Object.fromEntries(free.map((name) => [name, value])), certificateSource: 'pem-files' };
      writeFileSync(file, JSON.stringify(values));
      const dir = tempDir();
      const r = secureEmr(dir, ['--answers', file, '--defaults', '--offline']);
      assert.notEqual(r.status, 0, `${JSON.stringify(value)} was accepted`);
      for (const name of free)
        assert.match(out(r), new RegExp(`- ${name}: `), `${name} = ${JSON.stringify(value)} not refused`);
      if (value.includes('\n')) assert.ok(out(r).includes('"x\\ny"'), 'a newline is echoed escaped');
      assert.deepEqual(readdirSync(dir), [], 'nothing written');
    }
    assert.equal(existsSync('/tmp/pwned'), false);
  });

  it('SSH from a public range wider than /16 needs the confirmation; a wide private range does not', () => {
    const wide = secureEmr(tempDir(), [...BASE_ARGS.slice(0, -2), '--ssh-cidr', '0.0.0.0/1']);
    assert.notEqual(wide.status, 0);
    assert.match(out(wide), /sshCidr: "0\.0\.0\.0\/1" opens SSH to a wide range of the internet/);
    const confirmed = secureEmr(tempDir(), [
      ...BASE_ARGS.slice(0, -2),
      '--ssh-cidr',
      '0.0.0.0/1',
      '--allow-ssh-from-anywhere',
    ]);
    assert.equal(confirmed.status, 0, out(confirmed));
    assert.equal(secureEmr(tempDir(), [...BASE_ARGS.slice(0, -2), '--ssh-cidr', '10.0.0.0/8']).status, 0);
  });
});
