/**
 * Issue 16: the certificate sources other than self-signed. pem-files: a CA-issued set made here with openssl is
 * checked and copied in; every bad set is refused naming the file, and nothing is written. emr-managed: no key
 * material, the EMR provider in the security configuration, no zip in the scripts.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BASE_ARGS, generateProject, readJson, run, secureEmr, tempDir } from './support/helpers.js';

const out = (r: { stdout: string; stderr: string }): string => r.stdout + r.stderr;

function openssl(args: string[], cwd: string): void {
  const r = run('openssl', args, { cwd });
  assert.equal(r.status, 0, `openssl ${args.join(' ')}: ${r.stderr}`);
}

/** A root CA in `dir` (name.key, name.pem). */
function makeCa(dir: string, name: string): void {
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-sha256',
      '-days',
      '400',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
      '-subj',
      `/O=Test Corp/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
}

/** A certificate `name.pem` (key `name.key`) for `san`, signed by `ca` (intermediate when `asCa`). */
function issue(dir: string, name: string, ca: string, san: string, days: number, asCa = false): void {
  openssl(
    [
      'req',
      '-new',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/O=Test Corp/CN=${name}`,
    ],
    dir,
  );
  writeFileSync(
    join(dir, `${name}.ext`),
    asCa
      ? 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n'
      : `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=${san}\n`,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca}.pem`,
      '-CAkey',
      `${ca}.key`,
      '-CAcreateserial',
      '-sha256',
      '-days',
      String(days),
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    ],
    dir,
  );
}

const EU = 'DNS:*.eu-west-1.compute.internal';

/** A CA-issued set for eu-west-1: root -> intermediate -> leaf; chain.pem = leaf + intermediate. */
function issuedSet(): string {
  const dir = tempDir('pki-');
  makeCa(dir, 'root');
  issue(dir, 'intermediate', 'root', '', 300, true);
  issue(dir, 'leaf', 'intermediate', EU, 200);
  writeFileSync(
    join(dir, 'chain.pem'),
    readFileSync(join(dir, 'leaf.pem'), 'utf8') + readFileSync(join(dir, 'intermediate.pem'), 'utf8'),
  );
  return dir;
}

const pemArgs = (pki: string, over: Partial<Record<'key' | 'chain' | 'trusted', string>> = {}): string[] => [
  '--region',
  'eu-west-1',
  '--certificate-source',
  'pem-files',
  '--cert-private-key',
  over.key ?? join(pki, 'leaf.key'),
  '--cert-chain',
  over.chain ?? join(pki, 'chain.pem'),
  '--cert-trusted-certificates',
  over.trusted ?? join(pki, 'root.pem'),
];

function refused(args: string[], file: string, why: RegExp): void {
  const dir = tempDir();
  const r = secureEmr(dir, [...BASE_ARGS, ...args]);
  assert.notEqual(r.status, 0, `accepted: ${out(r)}`);
  assert.ok(out(r).includes(file), `the refusal names ${file}:\n${out(r)}`);
  assert.match(out(r), why);
  assert.match(out(r), /nothing was written/);
  assert.equal(existsSync(join(dir, 'certs')), false, 'no certs/ written');
  assert.deepEqual(
    readdirSync(dir).filter((n) => n !== '.secure-emr'),
    [],
    'nothing written',
  );
}

describe('certificateSource pem-files', () => {
  it('a CA-issued set (root, intermediate, leaf) is checked and copied into certs/ as the key set', () => {
    const pki = issuedSet();
    const dir = generateProject(pemArgs(pki));
    const certs = join(dir, 'certs');
    assert.equal(readFileSync(join(certs, 'privateKey.pem'), 'utf8'), readFileSync(join(pki, 'leaf.key'), 'utf8'));
    assert.equal(
      readFileSync(join(certs, 'certificateChain.pem'), 'utf8'),
      readFileSync(join(pki, 'chain.pem'), 'utf8'),
    );
    assert.equal(
      readFileSync(join(certs, 'trustedCertificates.pem'), 'utf8'),
      readFileSync(join(pki, 'root.pem'), 'utf8'),
    );
    assert.equal(statSync(join(certs, 'privateKey.pem')).mode & 0o777, 0o600);
    assert.equal(statSync(join(certs, 'certs.zip')).mode & 0o777, 0o600);
    assert.deepEqual(
      run('unzip', ['-Z1', join(certs, 'certs.zip')])
        .stdout.trim()
        .split('\n'),
      ['privateKey.pem', 'certificateChain.pem', 'trustedCertificates.pem'],
    );
    const verify = run(
      'openssl',
      ['verify', '-CAfile', 'trustedCertificates.pem', '-untrusted', 'certificateChain.pem', 'certificateChain.pem'],
      { cwd: certs },
    );
    assert.equal(verify.status, 0, verify.stderr);
    assert.match(readFileSync(join(dir, '.gitignore'), 'utf8'), /certs/);
    assert.equal(existsSync(join(dir, 'scripts/generate-certs.sh')), false, 'no self-signed script with pem-files');
    assert.match(readFileSync(join(certs, 'README.md'), 'utf8'), /issued by your CA/);
    const check = secureEmr(dir, ['certs', '--check']);
    assert.equal(check.status, 0, out(check));
    assert.match(out(check), /ok {3}chain: .*\(2 certificates\)/);
    // A re-run with the same files keeps everything.
    const again = secureEmr(dir, []);
    assert.equal(again.status, 0, out(again));
  });

  it('a key that does not match, a chain that does not verify, another region, 10 days left: each refused, naming the file', () => {
    const pki = issuedSet();
    issue(pki, 'other', 'intermediate', EU, 200);
    refused(
      pemArgs(pki, { key: join(pki, 'other.key') }),
      join(pki, 'other.key'),
      /does not match the first certificate/,
    );
    makeCa(pki, 'stranger');
    refused(pemArgs(pki, { trusted: join(pki, 'stranger.pem') }), join(pki, 'chain.pem'), /does not verify against/);
    // The leaf alone, without its intermediate, does not reach the root either.
    refused(pemArgs(pki, { chain: join(pki, 'leaf.pem') }), join(pki, 'leaf.pem'), /does not verify against/);
    issue(pki, 'west2', 'intermediate', 'DNS:*.us-west-2.compute.internal', 200);
    writeFileSync(
      join(pki, 'west2-chain.pem'),
      readFileSync(join(pki, 'west2.pem'), 'utf8') + readFileSync(join(pki, 'intermediate.pem'), 'utf8'),
    );
    refused(
      pemArgs(pki, { key: join(pki, 'west2.key'), chain: join(pki, 'west2-chain.pem') }),
      join(pki, 'west2-chain.pem'),
      /does not cover ip-10-0-0-1\.eu-west-1\.compute\.internal/,
    );
    issue(pki, 'soon', 'intermediate', EU, 10);
    writeFileSync(
      join(pki, 'soon-chain.pem'),
      readFileSync(join(pki, 'soon.pem'), 'utf8') + readFileSync(join(pki, 'intermediate.pem'), 'utf8'),
    );
    refused(
      pemArgs(pki, { key: join(pki, 'soon.key'), chain: join(pki, 'soon-chain.pem') }),
      join(pki, 'soon-chain.pem'),
      /expires in (9|10) days .*at least 30 days/,
    );
    symlinkSync(join(pki, 'leaf.key'), join(pki, 'link.key'));
    refused(pemArgs(pki, { key: join(pki, 'link.key') }), join(pki, 'link.key'), /symbolic link/);
  });

  it('new files need --rotate, which archives the current set first', () => {
    const pki = issuedSet();
    const dir = generateProject(pemArgs(pki));
    const oldKey = readFileSync(join(dir, 'certs/privateKey.pem'));
    issue(pki, 'next', 'intermediate', EU, 200);
    writeFileSync(
      join(pki, 'next-chain.pem'),
      readFileSync(join(pki, 'next.pem'), 'utf8') + readFileSync(join(pki, 'intermediate.pem'), 'utf8'),
    );
    const newFiles = ['--cert-private-key', join(pki, 'next.key'), '--cert-chain', join(pki, 'next-chain.pem')];
    const plain = secureEmr(dir, newFiles);
    assert.notEqual(plain.status, 0);
    assert.match(out(plain), /certs\/ holds another key .* --rotate/);
    assert.deepEqual(readFileSync(join(dir, 'certs/privateKey.pem')), oldKey, 'unchanged without --rotate');
    const rotated = secureEmr(dir, ['certs', '--rotate', ...newFiles]);
    assert.equal(rotated.status, 0, out(rotated));
    assert.deepEqual(readFileSync(join(dir, 'certs/archive/v1/privateKey.pem')), oldKey);
    assert.equal(readFileSync(join(dir, 'certs/privateKey.pem'), 'utf8'), readFileSync(join(pki, 'next.key'), 'utf8'));
    assert.match(readFileSync(join(dir, 'scripts/project.env'), 'utf8'), /^CERTIFICATE_VERSION=2$/m);
  });
});

describe('certificateSource emr-managed', () => {
  it('no key material; the security configuration asks EMR for the certificates with the project key and tag', () => {
    const dir = generateProject(['--certificate-source', 'emr-managed']);
    const certs = readdirSync(join(dir, 'certs'));
    assert.deepEqual(certs, ['README.md']);
    for (const name of certs) assert.doesNotMatch(readFileSync(join(dir, 'certs', name), 'utf8'), /PRIVATE KEY-----/);
    const doc = readJson<{ EncryptionConfiguration: Record<string, unknown> }>(
      join(dir, 'emr/security-configuration.json'),
    );
    const transit = doc.EncryptionConfiguration.InTransitEncryptionConfiguration as Record<string, unknown>;
    // The documented shape (EMR management guide, "Create a security configuration"): CertificateProviderType EMR,
    // AwsKmsKey a full key ARN (filled at deploy time), SecretTags a list of Key/Value, ValidityInDays a number.
    assert.deepEqual(transit, {
      TLSCertificateConfiguration: {
        CertificateProviderType: 'EMR',
        AwsKmsKey: '__S3_KMS_KEY_ARN__',
        SecretTags: [{ Key: 'project', Value: 'secure-emr' }],
        ValidityInDays: 365,
      },
    });
    assert.equal(doc.EncryptionConfiguration.EnableInTransitEncryption, true);
    const deploy = readFileSync(join(dir, 'scripts/deploy.sh'), 'utf8');
    assert.doesNotMatch(deploy, /certs\.zip/);
    assert.match(readFileSync(join(dir, 'scripts/verify-encryption.sh'), 'utf8'), /CACertificateSecretARN/);
    assert.equal(existsSync(join(dir, 'scripts/generate-certs.sh')), false);
    assert.match(readFileSync(join(dir, 'certs/README.md'), 'utf8'), /before the CA expires/i);
    const check = secureEmr(dir, ['certs', '--check']);
    assert.equal(check.status, 0, out(check));
    assert.match(out(check), /emr-managed/);
    const rotate = secureEmr(dir, ['certs', '--rotate']);
    assert.equal(rotate.status, 0, out(rotate));
    assert.match(out(rotate), /certificate version 2: scripts\/deploy\.sh creates a new security configuration/);
    assert.match(readFileSync(join(dir, 'scripts/project.env'), 'utf8'), /^CERTIFICATE_VERSION=2$/m);
    assert.deepEqual(readdirSync(join(dir, 'certs')), ['README.md'], 'still no key material');
  });

  it('switching from self-signed keeps certs/*.pem and says they are no longer used and how to remove them', () => {
    const dir = generateProject();
    const key = readFileSync(join(dir, 'certs/privateKey.pem'));
    const r = secureEmr(dir, ['--certificate-source', 'emr-managed']);
    assert.equal(r.status, 0, out(r));
    assert.match(out(r), /no longer used; they were kept/);
    assert.match(out(r), /mv certs\/\*\.pem/);
    assert.deepEqual(readFileSync(join(dir, 'certs/privateKey.pem')), key);
    assert.doesNotMatch(readFileSync(join(dir, 'scripts/deploy.sh'), 'utf8'), /certs\.zip/);
  });
});

// certificateSource emr-managed on moto_server (deploy, verify, teardown) runs in network-modes.test.ts, with the
// new-vpc + ssm + endpoints combination, so one moto run covers both.
