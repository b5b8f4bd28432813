/** Issue 11: the writer's own rules, without the CLI: containment, staged key-material sets, the lock. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  ProjectWriter,
  STAGE_DIR,
  acquireLock,
  clearStage,
  recoverStagedSet,
  writeStagedSet,
} from '../generators/lib/writer.js';
import { tempDir } from './support/helpers.js';

describe('writer', () => {
  it('refuses paths outside the project and through symlinks', () => {
    const root = tempDir();
    const w = new ProjectWriter(root);
    assert.throws(() => w.write('../x', 'a'), /outside the project folder/);
    assert.throws(() => w.write('/etc/x', 'a'), /outside the project folder/);
    symlinkSync(tempDir(), join(root, 'linked'));
    assert.throws(() => w.write('linked/file', 'a'), /linked is a symlink/);
    w.write('a/b/c.txt', 'hello', 0o600);
    assert.equal(readFileSync(join(root, 'a/b/c.txt'), 'utf8'), 'hello');
    assert.equal(statSync(join(root, 'a/b/c.txt')).mode & 0o777, 0o600);
  });

  it('a complete stage is finished on the next run; an incomplete one is discarded', () => {
    const root = tempDir();
    const w = new ProjectWriter(root);
    w.write('certs/privateKey.pem', 'OLD');
    mkdirSync(join(root, STAGE_DIR), { recursive: true });
    writeFileSync(join(root, STAGE_DIR, 'privateKey.pem'), 'HALF');
    assert.match(recoverStagedSet(w)?.note ?? '', /Discarded/);
    assert.equal(readFileSync(join(root, 'certs/privateKey.pem'), 'utf8'), 'OLD');
    assert.equal(existsSync(join(root, STAGE_DIR)), false);

    mkdirSync(join(root, STAGE_DIR), { recursive: true });
    writeFileSync(join(root, STAGE_DIR, 'privateKey.pem'), 'NEW');
    writeFileSync(join(root, STAGE_DIR, 'COMPLETE'), JSON.stringify({ version: 3, files: ['certs/privateKey.pem'] }));
    const done = recoverStagedSet(w);
    assert.equal(done?.version, 3);
    assert.equal(readFileSync(join(root, 'certs/privateKey.pem'), 'utf8'), 'NEW');
    // The marker (and its version) stays until a run has written its state: stopped before, the next run still
    // adopts version 3.
    assert.equal(recoverStagedSet(w)?.version, 3, 'the version is kept until the state is written');
    assert.equal(readFileSync(join(root, 'certs/privateKey.pem'), 'utf8'), 'NEW', 'nothing moved twice');
    clearStage(w);
    assert.equal(recoverStagedSet(w), undefined, 'nothing left to recover');
  });

  it('a set installed by a stopped run keeps its version on record while a retry stages the next set and stops too', async () => {
    const root = tempDir();
    const first = new ProjectWriter(root);
    // Run 1 installs version 2 and stops before writing its state: the marker stays.
    await writeStagedSet(first, {
      version: 2,
      files: [{ path: 'certs/privateKey.pem', contents: 'SET2', mode: 0o600 }],
    });
    // Run 2 adopts it, stages version 3 and stops while staging (here: the flush fails after one file).
    const retry = new ProjectWriter(root);
    assert.equal(recoverStagedSet(retry)?.version, 2);
    retry.writeAll = async () => {
      writeFileSync(join(root, STAGE_DIR, 'privateKey.pem'), 'HALF');
      throw new Error('stopped while staging');
    };
    await assert.rejects(
      writeStagedSet(retry, { version: 3, files: [{ path: 'certs/privateKey.pem', contents: 'SET3', mode: 0o600 }] }),
      /stopped while staging/,
    );
    // Run 3: the half-staged set is discarded; set 2 is in place and its version is still known.
    const next = recoverStagedSet(new ProjectWriter(root));
    assert.match(next?.note ?? '', /Discarded/);
    assert.equal(next?.version, 2, 'the version of the set in place is not lost');
    assert.equal(readFileSync(join(root, 'certs/privateKey.pem'), 'utf8'), 'SET2');
    assert.equal(existsSync(join(root, STAGE_DIR, 'privateKey.pem')), false, 'the half-staged file is gone');
    clearStage(new ProjectWriter(root));
    assert.equal(existsSync(join(root, STAGE_DIR)), false);
  });

  it('writeStagedSet moves the whole set in with its modes', async () => {
    const root = tempDir();
    const w = new ProjectWriter(root);
    await writeStagedSet(w, {
      version: 1,
      files: [
        { path: 'certs/privateKey.pem', contents: 'K', mode: 0o600 },
        { path: 'certs/certs.zip', contents: Buffer.from('Z'), mode: 0o600 },
      ],
    });
    assert.equal(statSync(join(root, 'certs/privateKey.pem')).mode & 0o777, 0o600);
    assert.equal(readFileSync(join(root, 'certs/certs.zip'), 'utf8'), 'Z');
    assert.ok(existsSync(join(root, STAGE_DIR, 'COMPLETE')), 'the marker waits for the state (clearStage)');
    assert.equal(existsSync(join(root, STAGE_DIR, 'privateKey.pem')), false, 'moved in');
    clearStage(w);
    assert.equal(existsSync(join(root, STAGE_DIR)), false);
  });

  it('the lock: held by a live process it refuses; released, it is gone with the folder it created', () => {
    const root = tempDir();
    const w = new ProjectWriter(root);
    const listeners = process.listenerCount('SIGINT');
    const lock = acquireLock(w);
    assert.equal(process.listenerCount('SIGINT'), listeners + 1, 'a held lock listens for SIGINT');
    assert.throws(() => acquireLock(w), /another secure-emr run holds \.secure-emr\/lock \(process \d+ /);
    assert.equal(process.listenerCount('SIGINT'), listeners + 1, 'a refused second lock leaves no listener');
    lock.release();
    assert.equal(process.listenerCount('SIGINT'), listeners, 'released: the default SIGINT behaviour is back');
    assert.equal(existsSync(join(root, '.secure-emr')), false);
  });

  for (const [signal, status] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    it(`${signal} while a process holds the lock: it releases the lock, says so and exits ${status}`, async () => {
      const root = tempDir();
      const writerModule = new URL('../generators/lib/writer.js', import.meta.url).href;
      const holder = spawn(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const { ProjectWriter, acquireLock } = await import(${JSON.stringify(writerModule)});
           acquireLock(new ProjectWriter(${JSON.stringify(root)}));
           console.log('held');
           setInterval(() => {}, 1000);`,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      holder.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
      assert.equal(existsSync(join(root, '.secure-emr/lock')), true, 'the lock is held');
      const exited = new Promise<number | null>((resolve) => holder.on('close', (code) => resolve(code)));
      holder.kill(signal);
      assert.equal(await exited, status);
      assert.match(stderr, new RegExp(`Interrupted \\(${signal}\\); files written so far are complete`));
      assert.equal(existsSync(join(root, '.secure-emr')), false, 'lock and its new folder are gone');
    });
  }
});
