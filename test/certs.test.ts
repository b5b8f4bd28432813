/** Issue 3: key material checked by OpenSSL (x509, verify, a real TLS handshake), the zip, modes, rotation. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { describeCertificate, generateKeyMaterial } from '../generators/lib/certificates.js';
import { freePort, generateProject, readJson, run, secureEmr, tempDir } from './support/helpers.js';

function openssl(args: string[], cwd?: string): string {
  const r = run('openssl', args, { cwd });
  assert.equal(r.status, 0, `openssl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Asserts what `openssl x509 -text`, `verify` and the key comparison show for the files in `dir`. */
function checkWithOpenssl(dir: string, region: string, names: string[], bits = 2048): void {
  const cert = join(dir, 'certificateChain.pem');
  const text = openssl(['x509', '-in', cert, '-noout', '-text']);
  assert.match(text, /Version: 3/);
  assert.match(text, /Signature Algorithm: sha256WithRSAEncryption/);
  assert.match(text, new RegExp(`Public-Key: \\(${bits} bit\\)`));
  assert.match(text, /Subject: C = US, ST = Washington, L = Seattle, O = Example Corp, OU = Data Platform, CN = \*\./);
  assert.ok(text.includes(`CN = ${names[0]}`), `CN is ${names[0]}`);
  const san = /X509v3 Subject Alternative Name: \n\s+(.*)/.exec(text)?.[1] ?? '';
  assert.deepEqual(san.split(', ').sort(), names.map((n) => `DNS:${n}`).sort(), `SAN for ${region}`);
  assert.match(text, /Basic Constraints: critical\n\s+CA:FALSE/);
  assert.match(text, /Key Usage: critical\n\s+Digital Signature, Key Encipherment/);
  assert.match(text, /TLS Web Server Authentication, TLS Web Client Authentication/);
  assert.match(text, /Subject Key Identifier/);
  const serial = openssl(['x509', '-in', cert, '-noout', '-serial']).trim().split('=')[1] ?? '';
  assert.ok(parseInt(serial.slice(0, 2), 16) < 0x80 && /[1-9A-F]/.test(serial), 'positive, non-zero serial');
  const dates = openssl(['x509', '-in', cert, '-noout', '-startdate', '-enddate']);
  const [start, end] = [...dates.matchAll(/=(.*)/g)].map((m) => Date.parse(m[1] ?? ''));
  assert.ok(Math.abs((start ?? 0) - Date.now()) < 600_000, 'valid from now');
  assert.equal(Math.round(((end ?? 0) - (start ?? 0)) / 86_400_000), 365);
  assert.match(text, /Authority Key Identifier/);
  assert.match(openssl(['verify', '-CAfile', join(dir, 'trustedCertificates.pem'), cert]), /OK/);
  // trustedCertificates.pem is the private CA, not the leaf; the chain is the leaf followed by that CA.
  const trusted = readFileSync(join(dir, 'trustedCertificates.pem'), 'utf8');
  const caText = openssl(['x509', '-in', join(dir, 'trustedCertificates.pem'), '-noout', '-text']);
  assert.match(caText, /Basic Constraints: critical\n\s+CA:TRUE/);
  assert.match(caText, /Key Usage: critical\n\s+Certificate Sign, CRL Sign/);
  assert.match(caText, /Subject: .*CN = secure-emr private CA/);
  assert.equal((trusted.match(/BEGIN CERTIFICATE/g) ?? []).length, 1, 'one CA certificate');
  const chain =
    readFileSync(cert, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\r?\n/g) ?? [];
  assert.equal(chain.length, 2, 'certificateChain.pem holds the leaf and the CA');
  assert.equal(chain[1], trusted, 'the second certificate of the chain is the CA');
  assert.notEqual(chain[0], trusted, 'the trusted certificate is not the leaf');
  const issuer = openssl(['x509', '-in', cert, '-noout', '-issuer']).replace(/^issuer=/, '');
  const caSubject = openssl(['x509', '-in', join(dir, 'trustedCertificates.pem'), '-noout', '-subject']).replace(
    /^subject=/,
    '',
  );
  assert.equal(issuer, caSubject, 'the leaf is issued by the CA');
  const fromCert = openssl(['x509', '-in', cert, '-noout', '-pubkey']);
  const fromKey = openssl(['pkey', '-in', join(dir, 'privateKey.pem'), '-pubout']);
  assert.equal(fromCert, fromKey, 'the public key in the certificate matches the private key');
}

const CASES: Array<[string, string[]]> = [
  ['us-east-1', ['*.ec2.internal', '*.us-east-1.compute.internal']],
  ['eu-west-1', ['*.eu-west-1.compute.internal']],
  ['ap-southeast-2', ['*.ap-southeast-2.compute.internal']],
];

/** A TLS handshake with s_server (generated key and chain) and s_client verifying the hostname. */
async function handshake(dir: string, hostname: string): Promise<{ ok: boolean; output: string }> {
  const port = await freePort();
  const server = spawn(
    'openssl',
    [
      's_server',
      '-accept',
      `127.0.0.1:${port}`,
      '-cert',
      'certificateChain.pem',
      '-key',
      'privateKey.pem',
      '-quiet',
      '-naccept',
      '1',
    ],
    { cwd: dir, stdio: ['pipe', 'ignore', 'ignore'] },
  );
  try {
    for (let i = 0; i < 50; i++) {
      const r = run(
        'openssl',
        [
          's_client',
          '-connect',
          `127.0.0.1:${port}`,
          '-CAfile',
          'trustedCertificates.pem',
          '-verify_hostname',
          hostname,
          '-verify_return_error',
          '-brief',
        ],
        { cwd: dir, input: '' },
      );
      if (!/Connection refused|connect:errno/.test(r.stderr)) {
        return { ok: r.status === 0 && /Verification: OK/.test(r.stderr + r.stdout), output: r.stderr + r.stdout };
      }
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error('s_server did not start');
  } finally {
    server.kill();
  }
}

describe('certificates made at scaffold time, checked with openssl', () => {
  for (const [region, names] of CASES) {
    it(`${region}: subject, SAN, key size, extensions, dates, verify, key match, TLS handshake, zip, mode`, async () => {
      const project = generateProject(['--region', region]);
      const dir = join(project, 'certs');
      checkWithOpenssl(dir, region, names);
      const domain = region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`;
      const good = await handshake(dir, `ip-10-0-2-15.${domain}`);
      assert.ok(good.ok, `verification succeeds for a node name of ${region}:\n${good.output}`);
      const other =
        region === 'eu-west-1'
          ? 'ip-10-0-2-15.eu-central-1.compute.internal'
          : 'ip-10-0-2-15.eu-west-1.compute.internal';
      const bad = await handshake(dir, other);
      assert.ok(!bad.ok, 'verification fails for a host of another region');
      assert.match(bad.output, /hostname mismatch|verify error/i);
      const listing = run('unzip', ['-Z1', join(dir, 'certs.zip')])
        .stdout.trim()
        .split('\n');
      assert.deepEqual(listing, ['privateKey.pem', 'certificateChain.pem', 'trustedCertificates.pem']);
      for (const name of listing) {
        const inZip = run('unzip', ['-p', join(dir, 'certs.zip'), name]).stdout;
        assert.doesNotMatch(inZip, /\r/, `${name} has LF line endings, as OpenSSL writes them`);
        assert.match(inZip, /^(-----BEGIN [A-Z ]+-----\n[A-Za-z0-9+/=\n]+-----END [A-Z ]+-----\n)+$/);
        assert.equal(inZip, readFileSync(join(dir, name), 'utf8'), `${name} in the zip equals the loose file`);
      }
      assert.equal(statSync(join(dir, 'privateKey.pem')).mode & 0o777, 0o600);
      assert.doesNotMatch(readFileSync(join(project, '.yo-rc.json'), 'utf8'), /BEGIN|PRIVATE KEY/);
      assert.match(
        readFileSync(join(dir, 'README.md'), 'utf8'),
        /SHA-256 fingerprint: `([0-9A-F]{2}:){31}[0-9A-F]{2}`/,
      );
    });
  }

  it('scripts/generate-certs.sh (OpenSSL alone) makes a certificate that passes the same checks', () => {
    const project = generateProject(['--region', 'eu-west-1']);
    const out = tempDir();
    const r = run('bash', [join(project, 'scripts', 'generate-certs.sh'), '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    checkWithOpenssl(out, 'eu-west-1', ['*.eu-west-1.compute.internal']);
    assert.equal(statSync(join(out, 'privateKey.pem')).mode & 0o777, 0o600);
    assert.deepEqual(
      run('unzip', ['-Z1', join(out, 'certs.zip')])
        .stdout.trim()
        .split('\n')
        .sort(),
      ['certificateChain.pem', 'privateKey.pem', 'trustedCertificates.pem'],
    );
    const again = run('bash', [join(project, 'scripts', 'generate-certs.sh'), '--out', out]);
    assert.notEqual(again.status, 0, 'refuses to replace a key without --force');
    const us = tempDir();
    assert.equal(
      run('bash', [join(project, 'scripts', 'generate-certs.sh'), '--out', us, '--region', 'us-east-1']).status,
      0,
    );
    checkWithOpenssl(us, 'us-east-1', ['*.ec2.internal', '*.us-east-1.compute.internal']);
  });

  it(':certs keeps the key without --rotate; --rotate makes a new key under a new version', () => {
    const project = generateProject();
    const key = readFileSync(join(project, 'certs/privateKey.pem'));
    assert.equal(secureEmr(project, ['certs']).status, 0);
    assert.deepEqual(readFileSync(join(project, 'certs/privateKey.pem')), key, 'byte-identical without --rotate');
    const r = secureEmr(project, ['certs', '--rotate']);
    assert.equal(r.status, 0, r.stderr);
    assert.notDeepEqual(readFileSync(join(project, 'certs/privateKey.pem')), key, 'a new key');
    const conf = readJson<Record<string, Record<string, unknown>>>(join(project, '.yo-rc.json'))[
      'generator-secure-emr'
    ];
    assert.equal(conf?.certificateVersion, 2);
    // The security configuration's S3 object follows CERTIFICATE_VERSION (filled at deploy time, test/e2e.test.ts).
    assert.match(readFileSync(join(project, 'scripts/project.env'), 'utf8'), /^CERTIFICATE_VERSION=2$/m);
    assert.match(readFileSync(join(project, 'README.md'), 'utf8'), /certs\/v2\/certs\.zip/);
    assert.match(readFileSync(join(project, 'certs/README.md'), 'utf8'), /certs\/v2\/certs\.zip/);
    assert.equal(statSync(join(project, 'certs/privateKey.pem')).mode & 0o777, 0o600);
  });

  it(':certs --check passes a good certificate and fails an expired or wrong-region one', async () => {
    const project = generateProject(['--region', 'eu-west-1']);
    assert.equal(secureEmr(project, ['certs', '--check']).status, 0);
    const subject = {
      country: 'US',
      state: 'Washington',
      locality: 'Seattle',
      organization: 'Example Corp',
      organizationalUnit: 'Data Platform',
    };
    const expired = await generateKeyMaterial({
      region: 'eu-west-1',
      subject,
      validityDays: 10,
      keySize: 2048,
      notBefore: new Date(Date.now() - 20 * 86_400_000),
    });
    writeFileSync(join(project, 'certs/privateKey.pem'), expired.privateKeyPem);
    writeFileSync(join(project, 'certs/certificateChain.pem'), expired.certificatePem);
    const r1 = secureEmr(project, ['certs', '--check']);
    assert.notEqual(r1.status, 0);
    assert.match(r1.stdout + r1.stderr, /FAIL expiry: expired/);
    const soon = await generateKeyMaterial({
      region: 'eu-west-1',
      subject,
      validityDays: 40,
      keySize: 2048,
      notBefore: new Date(Date.now() - 20 * 86_400_000),
    });
    writeFileSync(join(project, 'certs/privateKey.pem'), soon.privateKeyPem);
    writeFileSync(join(project, 'certs/certificateChain.pem'), soon.certificatePem);
    const soonRun = secureEmr(project, ['certs', '--check']);
    assert.notEqual(soonRun.status, 0);
    assert.match(soonRun.stdout + soonRun.stderr, /FAIL expiry: expires in 19 days/);
    const wrong = await generateKeyMaterial({ region: 'us-west-2', subject, validityDays: 365, keySize: 2048 });
    writeFileSync(join(project, 'certs/privateKey.pem'), wrong.privateKeyPem);
    writeFileSync(join(project, 'certs/certificateChain.pem'), wrong.certificatePem);
    const r2 = secureEmr(project, ['certs', '--check']);
    assert.notEqual(r2.status, 0);
    assert.match(r2.stdout + r2.stderr, /FAIL names: .*us-west-2.*eu-west-1/);
    writeFileSync(join(project, 'certs/privateKey.pem'), expired.privateKeyPem);
    writeFileSync(
      join(project, 'certs/certificateChain.pem'),
      (await generateKeyMaterial({ region: 'eu-west-1', subject, validityDays: 365, keySize: 2048 })).certificatePem,
    );
    const r3 = secureEmr(project, ['certs', '--check']);
    assert.notEqual(r3.status, 0);
    assert.match(r3.stdout + r3.stderr, /FAIL key: the private key does not match/);
  });

  it('generates RSA keys with Node native crypto through node-forge, never the pure-JavaScript path', async () => {
    const original = crypto.generateKeyPair;
    let calls = 0;
    (crypto as { generateKeyPair: unknown }).generateKeyPair = (...args: Parameters<typeof original>) => {
      calls += 1;
      return original(...args);
    };
    try {
      const made = await generateKeyMaterial({
        region: 'eu-west-1',
        subject: { country: 'US', state: 'WA', locality: 'S', organization: 'O', organizationalUnit: 'U' },
        validityDays: 30,
        keySize: 3072,
      });
      assert.equal(calls, 2, "node-forge called Node's crypto.generateKeyPair (the CA's key and the leaf's)");
      assert.match(made.privateKeyPem, /BEGIN PRIVATE KEY/);
      const text = run('openssl', ['pkey', '-noout', '-text'], { input: made.privateKeyPem }).stdout;
      assert.match(text, /Private-Key: \(3072 bit/);
      // The facts a run documents come from the certificate it made; parsed back from the PEM, they are the same.
      assert.deepEqual(made.facts, describeCertificate(made.certificatePem));
      assert.equal(made.facts.keyBits, 3072);
      assert.deepEqual(made.facts.dnsNames, ['*.eu-west-1.compute.internal']);
    } finally {
      (crypto as { generateKeyPair: unknown }).generateKeyPair = original;
    }
  });
});
