/** Issue 7 (partial) and issue 4's subgenerator rule: re-runs keep edits and keys; pieces touch only their files. */
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { changedFiles, generateProject, secureEmr, treeHashes } from './support/helpers.js';

describe('regeneration', () => {
  it('an edited file survives a re-run; untouched files and the key stay byte-identical', () => {
    const dir = generateProject();
    appendFileSync(join(dir, 'ssh-commands.txt'), '\nOur bastion is behind the VPN.\n');
    const before = treeHashes(dir);
    const r = secureEmr(dir, []);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout + r.stderr, /kept your edits.*ssh-commands\.txt/);
    const after = treeHashes(dir);
    assert.deepEqual(changedFiles(before, after), ['ssh-commands.txt.secure-emr-new']);
    assert.match(readFileSync(join(dir, 'ssh-commands.txt'), 'utf8'), /behind the VPN/);
    const forced = secureEmr(dir, ['--force']);
    assert.equal(forced.status, 0, forced.stderr);
    assert.doesNotMatch(readFileSync(join(dir, 'ssh-commands.txt'), 'utf8'), /behind the VPN/);
  });

  it('--dry-run writes nothing', () => {
    const dir = generateProject();
    const before = treeHashes(dir);
    const r = secureEmr(dir, ['--dry-run', '--region', 'eu-west-1']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout + r.stderr, /would replace: cfn\/environment\.json/);
    assert.deepEqual(changedFiles(before, treeHashes(dir)), []);
  });

  it('a new region regenerates what depends on it, keeps key and certificate, and points to :certs --rotate', () => {
    const dir = generateProject();
    const before = treeHashes(dir);
    const r = secureEmr(dir, ['--region', 'eu-west-1', '--bucket-name', 'secure-emr-123456789012-us-east-1']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout + r.stderr, /secure-emr:certs --rotate/);
    const changed = changedFiles(before, treeHashes(dir));
    for (const f of ['cfn/environment.json', 'ssh-commands.txt', 'README.md', '.yo-rc.json', 'scripts/project.env']) assert.ok(changed.includes(f), f);
    for (const f of ['certs/privateKey.pem', 'certs/certificateChain.pem', 'certs/certs.zip', 'cfn/kms.json', 'jobs/test.py', 'data/cars.csv']) assert.ok(!changed.includes(f), f);
  });

  for (const piece of ['certs', 'iam', 'kms', 'environment', 'security-configuration', 'scripts', 'ssh', 'jobs']) {
    it(`:${piece} in a generated project changes only its own files`, () => {
      const dir = generateProject();
      const before = treeHashes(dir);
      const r = secureEmr(dir, [piece, '--force']);
      assert.equal(r.status, 0, r.stderr);
      const manifest = JSON.parse(readFileSync(join(dir, '.secure-emr/manifest.json'), 'utf8')) as { files: Record<string, { piece: string }> };
      for (const f of changedFiles(before, treeHashes(dir))) {
        if (f === '.secure-emr/manifest.json' || f === '.yo-rc.json') continue;
        assert.equal(manifest.files[f]?.piece, piece, `${f} belongs to ${piece}`);
      }
    });
  }
});
