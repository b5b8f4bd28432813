/**
 * Issue 10: the write plan is pure: disk state + manifest + rendered files -> decisions and actions. Every rule
 * of regeneration is checked here without Yeoman or a disk: add, unchanged, replace, keep (new version beside),
 * edited, force, key material, orphans.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyManifest, parseManifest, sha256 } from '../generators/lib/manifest.js';
import type { Manifest } from '../generators/lib/manifest.js';
import type { OutputFile } from '../generators/lib/piece.js';
import { summaryLines } from '../generators/lib/summary.js';
import { planPending, planWrites } from '../generators/lib/write-plan.js';

function plan(opts: {
  disk?: Record<string, string>;
  manifest?: Manifest;
  files: Record<string, OutputFile[]>;
  force?: boolean;
}) {
  const disk = opts.disk ?? {};
  return planWrites({
    rendered: Object.entries(opts.files).map(([piece, files]) => ({ piece, files })),
    readDisk: (p) => (p in disk ? Buffer.from(disk[p] ?? '') : undefined),
    manifest: opts.manifest ?? emptyManifest('1.0.0'),
    version: '1.0.0',
    force: opts.force ?? false,
  });
}
const entry = (text: string, piece: string) => ({ sha256: sha256(text), piece });
const manifestOf = (files: Record<string, { sha256: string; piece: string }>): Manifest => ({
  ...emptyManifest('0.9.0'),
  files,
});
const written = (p: ReturnType<typeof plan>) =>
  p.actions.map((a) => (a.kind === 'write' ? `write ${a.file.path}` : `delete ${a.path}`));

describe('write plan', () => {
  it('pending files: key material is planned by its path; a pending document is emitted (never an orphan) and decided once ready', async () => {
    const key = Promise.resolve('KEY');
    const readme = Promise.resolve('new readme');
    const p = plan({
      disk: { 'certs/privateKey.pem': 'OLD', 'certs/README.md': 'old readme' },
      manifest: manifestOf({ 'certs/README.md': entry('old readme', 'certs') }),
      files: {
        certs: [
          { path: 'certs/privateKey.pem', contents: key, secret: true, keySet: true },
          { path: 'certs/README.md', contents: readme },
        ],
      },
    });
    assert.deepEqual(written(p), ['write certs/privateKey.pem']);
    assert.deepEqual(p.decisions.replace, ['certs/privateKey.pem']);
    assert.deepEqual(p.decisions.remove, [], 'the pending README is not an orphan');
    assert.deepEqual(
      p.pending.map((x) => x.file.path),
      ['certs/README.md'],
    );
    assert.deepEqual(p.manifest.files['certs/README.md'], entry('old readme', 'certs'), 'not decided yet');
    const later = planPending(p, [{ piece: 'certs', file: { path: 'certs/README.md', contents: await readme } }], {
      readDisk: (path) => (path === 'certs/README.md' ? Buffer.from('old readme') : undefined),
      version: '1.0.0',
      force: false,
    });
    assert.deepEqual(
      later.map((a) => (a.kind === 'write' ? a.file.path : a.path)),
      ['certs/README.md'],
    );
    assert.deepEqual(p.decisions.replace, ['certs/privateKey.pem', 'certs/README.md']);
    assert.deepEqual(p.manifest.files['certs/README.md'], entry('new readme', 'certs'));
    assert.deepEqual(p.pending, []);
  });

  it('adds new files and records them; the manifest carries the new version', () => {
    const p = plan({ files: { kms: [{ path: 'cfn/kms.json', contents: '{}' }] } });
    assert.deepEqual(p.decisions.add, ['cfn/kms.json']);
    assert.deepEqual(written(p), ['write cfn/kms.json']);
    assert.deepEqual(p.manifest.files['cfn/kms.json'], entry('{}', 'kms'));
    assert.equal(p.manifest.version, '1.0.0');
  });

  it('unchanged files are not written; unedited files are replaced; edited files are kept with the new version beside', () => {
    const p = plan({
      disk: { a: 'same', b: 'old', c: 'mine' },
      manifest: manifestOf({ a: entry('same', 'x'), b: entry('old', 'x'), c: entry('theirs', 'x') }),
      files: {
        x: [
          { path: 'a', contents: 'same' },
          { path: 'b', contents: 'new' },
          { path: 'c', contents: 'newer' },
        ],
      },
    });
    assert.deepEqual([p.decisions.unchanged, p.decisions.replace, p.decisions.keep], [['a'], ['b'], ['c']]);
    assert.deepEqual(written(p), ['write b', 'write c.secure-emr-new']);
  });

  it('an edited file the generator has nothing new for is left alone; --force replaces edits', () => {
    const base = {
      disk: { c: 'mine' },
      manifest: manifestOf({ c: entry('theirs', 'x') }),
      files: { x: [{ path: 'c', contents: 'theirs' }] },
    };
    assert.deepEqual(plan(base).decisions.edited, ['c']);
    assert.deepEqual(written(plan(base)), []);
    const forced = plan({ ...base, force: true });
    assert.deepEqual(forced.decisions.force, ['c']);
    assert.deepEqual(written(forced), ['write c']);
  });

  it('key material is written exactly when emitted and never recorded', () => {
    const p = plan({
      files: { certs: [{ path: 'certs/privateKey.pem', contents: 'KEY', mode: 0o600, secret: true }] },
    });
    assert.deepEqual(written(p), ['write certs/privateKey.pem']);
    assert.equal(p.manifest.files['certs/privateKey.pem'], undefined);
  });

  it('orphans of a rendered piece: removed when unedited, named when edited; missing ones just leave the manifest', () => {
    const p = plan({
      disk: { 'cfn/iam.json': 'generated', 'cfn/old.json': 'edited by the team' },
      manifest: manifestOf({
        'cfn/iam.json': entry('generated', 'iam'),
        'cfn/old.json': entry('generated earlier', 'iam'),
        'cfn/gone.json': entry('x', 'iam'),
        'cfn/kms.json': entry('k', 'kms'),
      }),
      files: { iam: [] },
    });
    assert.deepEqual(p.decisions.remove, ['cfn/iam.json']);
    assert.deepEqual(p.decisions['orphan-edited'], ['cfn/old.json']);
    assert.deepEqual(written(p), ['delete cfn/iam.json']);
    assert.deepEqual(Object.keys(p.manifest.files), ['cfn/kms.json'], 'pieces not rendered keep their entries');
    const lines = summaryLines(p.decisions, false, []).join('\n');
    assert.match(lines, /1 removed/);
    assert.match(lines, /removed \(no longer generated, unedited\): cfn\/iam\.json/);
    assert.match(lines, /left in place because you edited them.*cfn\/old\.json/);
  });
});

describe('a hand-edited manifest never removes key material', () => {
  it('an entry naming a key file, with its real hash, does not remove it', () => {
    const p = plan({
      disk: { 'certs/privateKey.pem': 'KEY', 'certs/certs.zip': 'ZIP' },
      manifest: manifestOf({ 'certs/privateKey.pem': entry('KEY', 'certs'), 'certs/certs.zip': entry('ZIP', 'certs') }),
      files: { certs: [] },
    });
    assert.deepEqual(written(p), []);
    assert.deepEqual(p.decisions.remove, []);
  });
});

describe('manifest on disk is checked', () => {
  for (const [name, text, why] of [
    ['not JSON', '{', /is not valid JSON/],
    ['another tool', '{"generator":"other","files":{}}', /is not a generator-secure-emr manifest/],
    [
      'damaged entry',
      '{"generator":"generator-secure-emr","files":{"a":{"sha256":"zz","piece":"x"}}}',
      /damaged entry for "a"/,
    ],
  ] as const) {
    it(name, () => {
      assert.throws(
        () => parseManifest(text, '1.0.0'),
        (e: Error) =>
          why.test(e.message) &&
          /\.secure-emr\/manifest\.json/.test(e.message) &&
          /restore it from git/.test(e.message),
      );
    });
  }
});
