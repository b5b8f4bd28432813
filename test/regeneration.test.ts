/** Issue 7 (partial) and issue 4's subgenerator rule: re-runs keep edits and keys; pieces touch only their files. */
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, changedFiles, generateProject, secureEmr, tempDir, treeHashes } from './support/helpers.js';

describe('regeneration', () => {
  it('an edited file survives a re-run; untouched files and the key stay byte-identical', () => {
    const dir = generateProject();
    appendFileSync(join(dir, 'ssh-commands.txt'), '\nOur bastion is behind the VPN.\n');
    const key = readFileSync(join(dir, 'certs/privateKey.pem'));
    const before = treeHashes(dir);
    const r = secureEmr(dir, []);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout + r.stderr, /1 kept as you edited them/);
    assert.match(r.stdout + r.stderr, /kept your edits.*ssh-commands\.txt/);
    assert.deepEqual(changedFiles(before, treeHashes(dir)), [], 'same answers: nothing on disk changes');
    assert.match(readFileSync(join(dir, 'ssh-commands.txt'), 'utf8'), /behind the VPN/);
    const forced = secureEmr(dir, ['--force']);
    assert.equal(forced.status, 0, forced.stderr);
    assert.doesNotMatch(
      readFileSync(join(dir, 'ssh-commands.txt'), 'utf8'),
      /behind the VPN/,
      '--force replaces the edited file',
    );
    assert.deepEqual(readFileSync(join(dir, 'certs/privateKey.pem')), key, '--force never replaces key material');
  });

  it('--dry-run writes nothing', () => {
    const dir = generateProject();
    const before = treeHashes(dir);
    const r = secureEmr(dir, ['--dry-run', '--region', 'eu-west-1']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout + r.stderr, /would replace: cfn\/environment\.json/);
    assert.deepEqual(changedFiles(before, treeHashes(dir)), []);
  });

  it('a new region regenerates what depends on it and nothing else; edits, key and certificate stay', () => {
    const dir = generateProject();
    appendFileSync(join(dir, 'ssh-commands.txt'), '\nOur bastion is behind the VPN.\n');
    const before = treeHashes(dir);
    const r = secureEmr(dir, ['--region', 'eu-west-1']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout + r.stderr, /no longer|FAIL names/);
    assert.match(r.stdout + r.stderr, /certs --rotate/);
    assert.deepEqual(changedFiles(before, treeHashes(dir)), [
      '.secure-emr/manifest.json',
      '.yo-rc.json',
      'README.md',
      'certs/README.md',
      'cfn/environment.json',
      'cfn/iam.json',
      'scripts/generate-certs.sh',
      'scripts/project.env',
      'ssh-commands.txt.secure-emr-new',
    ]);
    assert.match(readFileSync(join(dir, 'ssh-commands.txt'), 'utf8'), /behind the VPN/);
    assert.match(readFileSync(join(dir, 'ssh-commands.txt.secure-emr-new'), 'utf8'), /--region eu-west-1/);
    assert.match(readFileSync(join(dir, 'certs/README.md'), 'utf8'), /Does not match the region/);
  });

  it('a run that fails part way leaves the folder as it was', () => {
    const dir = generateProject();
    rmSync(join(dir, 'certs/certificateChain.pem'));
    const before = treeHashes(dir);
    const r = secureEmr(dir, ['--region', 'eu-west-1']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /certificateChain\.pem is missing/);
    assert.deepEqual(changedFiles(before, treeHashes(dir)), []);
  });

  it("upgrading from an older version's manifest replaces only the files the team did not edit", () => {
    const dir = tempDir();
    cpSync(join(ROOT, 'test/fixtures/upgrade-from-0.0.1'), dir, { recursive: true });
    const editedCars = readFileSync(join(dir, 'data/cars.csv'), 'utf8');
    const r = secureEmr(dir, []);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(readFileSync(join(dir, 'ssh-commands.txt'), 'utf8'), /ssh -A/, 'unedited: replaced');
    assert.match(readFileSync(join(dir, 'jobs/test.py'), 'utf8'), /SparkSession/, 'unedited: replaced');
    assert.match(readFileSync(join(dir, 'README.md'), 'utf8'), /Encryption controls/, 'unedited: replaced');
    assert.equal(readFileSync(join(dir, 'data/cars.csv'), 'utf8'), editedCars, 'edited: kept');
    assert.match(readFileSync(join(dir, 'data/cars.csv.secure-emr-new'), 'utf8'), /Cascade,Ripple/);
    const manifest = JSON.parse(readFileSync(join(dir, '.secure-emr/manifest.json'), 'utf8')) as { version: string };
    assert.equal(manifest.version, JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });

  it('every subgenerator run in turn in one project changes only its own files', () => {
    const dir = generateProject();
    // The first run moves the project to another region; each later run regenerates its piece for it.
    const expected: Array<[string, string[]]> = [
      ['environment', ['cfn/environment.json']],
      ['iam', ['cfn/iam.json']],
      ['kms', []],
      ['security-configuration', []],
      ['scripts', ['scripts/project.env']],
      ['ssh', ['ssh-commands.txt']],
      ['jobs', []],
      ['certs', ['certs/README.md', 'scripts/generate-certs.sh']],
    ];
    expected.forEach(([piece, files], i) => {
      const before = treeHashes(dir);
      const r = secureEmr(dir, i === 0 ? [piece, '--region', 'eu-west-1'] : [piece]);
      assert.equal(r.status, 0, r.stderr);
      const changed = changedFiles(before, treeHashes(dir)).filter(
        (f) => f !== '.secure-emr/manifest.json' && f !== '.yo-rc.json',
      );
      assert.deepEqual(changed, files, `:${piece} changed ${changed.join(', ')}`);
      const manifest = JSON.parse(readFileSync(join(dir, '.secure-emr/manifest.json'), 'utf8')) as {
        files: Record<string, { piece: string }>;
      };
      for (const f of changed) assert.equal(manifest.files[f]?.piece, piece, `${f} belongs to ${piece}`);
    });
    assert.match(
      readFileSync(join(dir, 'README.md'), 'utf8'),
      /`us-east-1`/,
      "the app README is the app generator's, left alone",
    );
  });

  it('switching iamRoles to emr-defaults removes an unedited cfn/iam.json and its manifest entry', () => {
    const dir = generateProject();
    const r = secureEmr(dir, ['--iam-roles', 'emr-defaults']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(existsSync(join(dir, 'cfn/iam.json')), false);
    const manifest = JSON.parse(readFileSync(join(dir, '.secure-emr/manifest.json'), 'utf8')) as {
      files: Record<string, unknown>;
    };
    assert.equal(manifest.files['cfn/iam.json'], undefined);
    assert.match(r.stdout + r.stderr, /removed \(no longer generated, unedited\): cfn\/iam\.json/);
    assert.ok(manifest.files['cfn/kms.json'], 'the other entries stay');
  });

  it('an edited orphan is left in place and named; the manifest forgets it', () => {
    const dir = generateProject();
    appendFileSync(join(dir, 'cfn/iam.json'), '\n');
    const r = secureEmr(dir, ['iam', '--iam-roles', 'emr-defaults']);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(join(dir, 'cfn/iam.json')));
    assert.match(r.stdout + r.stderr, /no longer generated, left in place because you edited them.*cfn\/iam\.json/);
    const manifest = JSON.parse(readFileSync(join(dir, '.secure-emr/manifest.json'), 'utf8')) as {
      files: Record<string, unknown>;
    };
    assert.equal(manifest.files['cfn/iam.json'], undefined);
  });
});
