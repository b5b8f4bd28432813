/**
 * Issue 11: key material is never lost, leaked or replaced implicitly. Each case runs the built CLI on a real
 * project and checks the files on disk (and the certificate with openssl where it matters).
 */
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { changedFiles, generateProject, run, secureEmr, tempDir, treeHashes } from './support/helpers.js';

const out = (r: { stdout: string; stderr: string }): string => r.stdout + r.stderr;

function modulus(file: string): string {
  const r = run(
    'openssl',
    file.endsWith('privateKey.pem')
      ? ['rsa', '-in', file, '-noout', '-modulus']
      : ['x509', '-in', file, '-noout', '-modulus'],
  );
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

/** The zip's members equal the PEM files beside it. */
function assertZipMatches(certs: string): void {
  const dir = tempDir('unzip-');
  assert.equal(run('unzip', ['-q', join(certs, 'certs.zip'), '-d', dir]).status, 0);
  for (const name of ['privateKey.pem', 'certificateChain.pem', 'trustedCertificates.pem']) {
    assert.deepEqual(readFileSync(join(dir, name)), readFileSync(join(certs, name)), `certs.zip ${name}`);
  }
}

describe('key material is never replaced implicitly', () => {
  it('a missing private key: a plain re-run refuses, says how to restore or rotate, and changes nothing', () => {
    const dir = generateProject();
    rmSync(join(dir, 'certs/privateKey.pem'));
    const before = treeHashes(dir);
    const r = secureEmr(dir, []);
    assert.notEqual(r.status, 0);
    assert.match(
      out(r),
      /certs\/privateKey\.pem is missing while other key material is in certs\/; nothing was written and no new key was made/,
    );
    assert.match(out(r), /unzip -o certs\/certs\.zip privateKey\.pem -d certs/);
    assert.match(out(r), /--rotate/);
    assert.deepEqual(changedFiles(before, treeHashes(dir)), []);
  });

  it('a key that does not match the certificate, and a zip of another key, are refused', () => {
    const dir = generateProject();
    const other = generateProject();
    copyFileSync(join(other, 'certs/certs.zip'), join(dir, 'certs/certs.zip'));
    const zipRun = secureEmr(dir, []);
    assert.notEqual(zipRun.status, 0);
    assert.match(out(zipRun), /certs\/certs\.zip holds a privateKey\.pem that differs from certs\/privateKey\.pem/);
    const check = secureEmr(dir, ['certs', '--check']);
    assert.notEqual(check.status, 0);
    assert.match(out(check), /certs\.zip/);
    copyFileSync(join(other, 'certs/privateKey.pem'), join(dir, 'certs/privateKey.pem'));
    const keyRun = secureEmr(dir, []);
    assert.notEqual(keyRun.status, 0);
    assert.match(out(keyRun), /certs\/privateKey\.pem does not match certs\/certificateChain\.pem/);
  });

  it('certs --check fails a private key readable by others, naming the chmod', () => {
    const dir = generateProject();
    assert.equal(secureEmr(dir, ['certs', '--check']).status, 0);
    chmodSync(join(dir, 'certs/privateKey.pem'), 0o644);
    const r = secureEmr(dir, ['certs', '--check']);
    assert.notEqual(r.status, 0);
    assert.match(
      out(r),
      /FAIL mode: certs\/privateKey\.pem has mode 644; it must be 600: chmod 600 certs\/privateKey\.pem/,
    );
  });

  it('--rotate archives the current set first (0600, git-ignored), then writes a consistent new one', () => {
    const dir = generateProject();
    const oldKey = readFileSync(join(dir, 'certs/privateKey.pem'));
    const r = secureEmr(dir, ['certs', '--rotate']);
    assert.equal(r.status, 0, out(r));
    assert.match(out(r), /Archive of the previous set: certs\/archive\/v1\//);
    assert.deepEqual(readFileSync(join(dir, 'certs/archive/v1/privateKey.pem')), oldKey);
    for (const name of ['privateKey.pem', 'certificateChain.pem', 'trustedCertificates.pem', 'certs.zip']) {
      assert.equal(statSync(join(dir, 'certs/archive/v1', name)).mode & 0o777, 0o600, name);
    }
    assert.notDeepEqual(readFileSync(join(dir, 'certs/privateKey.pem')), oldKey);
    assert.equal(modulus(join(dir, 'certs/privateKey.pem')), modulus(join(dir, 'certs/certificateChain.pem')));
    assertZipMatches(join(dir, 'certs'));
    assert.match(readFileSync(join(dir, '.gitignore'), 'utf8'), /^certs\/archive\/$/m);
  });

  it('--rotate --dry-run makes no key and writes nothing', () => {
    const dir = generateProject();
    const before = treeHashes(dir);
    const r = secureEmr(dir, ['certs', '--rotate', '--dry-run']);
    assert.equal(r.status, 0, out(r));
    assert.match(out(r), /Would rotate: certificate version 2/);
    assert.doesNotMatch(out(r), /would remove/, 'a dry run reports what a real run would do');
    assert.deepEqual(changedFiles(before, treeHashes(dir)), []);
  });

  it('changed certificate answers are reported as not applied, naming --rotate', () => {
    const dir = generateProject();
    const r = secureEmr(dir, ['--cert-organization', 'Other Org', '--cert-key-size', '3072']);
    assert.equal(r.status, 0, out(r));
    assert.match(out(r), /made with other values than the answers certOrganization, certKeySize now give; it was kept/);
    assert.match(
      readFileSync(join(dir, 'certs/README.md'), 'utf8'),
      /O=Example Corp/,
      'the README shows the real subject',
    );
  });

  it('a deleted zip is rebuilt from the PEM files (derived, not new key material)', () => {
    const dir = generateProject();
    const key = readFileSync(join(dir, 'certs/privateKey.pem'));
    rmSync(join(dir, 'certs/certs.zip'));
    const r = secureEmr(dir, []);
    assert.equal(r.status, 0, out(r));
    assert.deepEqual(readFileSync(join(dir, 'certs/privateKey.pem')), key);
    assertZipMatches(join(dir, 'certs'));
  });

  it('subject values with PrintableString specials reach the certificate intact, from node-forge and from OpenSSL', () => {
    const org = "Acme/Data+Analytics, Inc. (a=b) O'Neil";
    const dir = generateProject(['--cert-organization', org]);
    const subject = run('openssl', [
      'x509',
      '-in',
      join(dir, 'certs/certificateChain.pem'),
      '-noout',
      '-subject',
      '-nameopt',
      'RFC2253',
    ]).stdout;
    assert.ok(subject.includes("O=Acme/Data\\+Analytics\\, Inc. (a=b) O'Neil"), subject);
    const outDir = tempDir();
    const script = run('bash', [join(dir, 'scripts/generate-certs.sh'), '--out', outDir]);
    assert.equal(script.status, 0, script.stderr);
    const fromOpenssl = run('openssl', [
      'x509',
      '-in',
      join(outDir, 'certificateChain.pem'),
      '-noout',
      '-subject',
      '-nameopt',
      'RFC2253',
    ]).stdout;
    assert.ok(fromOpenssl.includes("O=Acme/Data\\+Analytics\\, Inc. (a=b) O'Neil"), fromOpenssl);
    assert.match(
      readFileSync(join(dir, 'certs/README.md'), 'utf8'),
      /O=Acme\/Data\+Analytics, Inc\. \(a=b\) O'Neil/,
      'no HTML escaping',
    );
  });
});
