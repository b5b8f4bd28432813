/** Issue 17: the bin starts the RSA key a run will need before the rest loads; certificates.ts takes it. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BIN, isolatedEnv, run, tempDir } from './support/helpers.js';
import { generateKeyMaterial, generateRsaKey, keyMatchesCertificate } from '../generators/lib/certificates.js';
import { KEYS_PER_SET, keyBitsNeeded, startRsaKey, takeRsaKey } from '../generators/lib/early-keys.js';

const none = (): boolean => false;
const hasKey = (p: string): boolean => p === 'certs/privateKey.pem';

describe('early RSA keys', () => {
  it('are started only for runs that make key material, of the size they will need', () => {
    assert.equal(
      keyBitsNeeded(['--defaults'], none, () => undefined),
      2048,
      'first run',
    );
    assert.equal(
      keyBitsNeeded(['--cert-key-size', '3072'], none, () => undefined),
      3072,
    );
    assert.equal(
      keyBitsNeeded(['--cert-key-size=4096'], none, () => undefined),
      4096,
    );
    assert.equal(
      keyBitsNeeded(['certs', '--rotate'], hasKey, () => 3072),
      3072,
      'rotation: the stored size',
    );
    for (const argv of [['--dry-run'], ['--help'], ['certs', '--check'], ['kms'], ['--version']]) {
      assert.equal(
        keyBitsNeeded(argv, none, () => undefined),
        undefined,
        argv.join(' '),
      );
    }
    assert.equal(
      keyBitsNeeded([], hasKey, () => undefined),
      undefined,
      'a re-run keeps the key',
    );
    assert.equal(
      keyBitsNeeded(['--cert-key-size', '1024'], none, () => undefined),
      undefined,
      'an invalid size starts nothing',
    );
  });

  it('none for certificate sources that make no key; the stored source counts', () => {
    for (const source of ['pem-files', 'emr-managed']) {
      assert.equal(
        keyBitsNeeded(['--certificate-source', source], none, () => undefined),
        undefined,
        source,
      );
      assert.equal(
        keyBitsNeeded(
          ['certs', '--rotate'],
          hasKey,
          () => 2048,
          () => source,
        ),
        undefined,
        `stored ${source}`,
      );
    }
    assert.equal(
      keyBitsNeeded(
        ['--certificate-source=self-signed'],
        none,
        () => undefined,
        () => 'pem-files',
      ),
      2048,
      'the command line wins',
    );
    assert.equal(KEYS_PER_SET, 2, 'the private CA and the leaf');
  });

  it('both keys of a set, started early, are taken by generateKeyMaterial', async () => {
    for (let i = 0; i < KEYS_PER_SET; i++) startRsaKey(2048);
    const made = await generateKeyMaterial({
      region: 'us-east-1',
      subject: { country: 'US', state: 'S', locality: 'L', organization: 'O', organizationalUnit: 'U' },
      validityDays: 30,
      keySize: 2048,
    });
    assert.ok(keyMatchesCertificate(made.privateKeyPem, made.certificatePem));
    assert.equal(takeRsaKey(2048), undefined, 'both were taken');
  });

  it('a started key is taken once by generateRsaKey, as forge keys', async () => {
    startRsaKey(2048);
    const pair = await generateRsaKey(2048);
    assert.equal(pair.privateKey.n.bitLength(), 2048);
    assert.ok(pair.publicKey.n.equals(pair.privateKey.n));
    assert.equal(takeRsaKey(2048), undefined, 'the pool is empty');
  });

  it('the bin reads the source and key size of an --answers file too: no key for emr-managed, no 2048-bit key for 3072', () => {
    // Counts the keys Node is asked for, printed at exit (the module object is what early-keys.ts calls).
    const counter =
      "data:text/javascript,import c from 'node:crypto'; const o = c.generateKeyPair; const n = []; c.generateKeyPair = (t, opts, cb) => { n.push(opts.modulusLength); return o(t, opts, cb); }; process.on('exit', () => process.stderr.write('KEYS ' + JSON.stringify(n) + '\\n'));";
    const keysOf = (answers: object, extra: string[] = []): number[] => {
      const file = join(tempDir(), 'answers.json');
      writeFileSync(file, JSON.stringify(answers));
      const args = ['--defaults', '--offline', '--account-id', '123456789012', '--answers', file, ...extra];
      const r = run(process.execPath, ['--import', counter, BIN, ...args], { cwd: tempDir(), env: isolatedEnv() });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(/KEYS (.*)/.exec(r.stderr)?.[1] ?? 'null') as number[];
    };
    assert.deepEqual(keysOf({ certificateSource: 'emr-managed', sshCidr: '203.0.113.0/24' }), []);
    assert.deepEqual(keysOf({ certKeySize: 3072, sshCidr: '203.0.113.0/24' }), [3072, 3072]);
    assert.deepEqual(keysOf({ sshCidr: '203.0.113.0/24' }), [2048, 2048], 'control: a set is two keys');
  });
});
