/** Issue 17: the bin starts the RSA key a run will need before the rest loads; certificates.ts takes it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateRsaKey } from '../generators/lib/certificates.js';
import { keyBitsNeeded, startRsaKey, takeRsaKey } from '../generators/lib/early-keys.js';

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

  it('a started key is taken once by generateRsaKey, as forge keys', async () => {
    startRsaKey(2048);
    const pair = await generateRsaKey(2048);
    assert.equal(pair.privateKey.n.bitLength(), 2048);
    assert.ok(pair.publicKey.n.equals(pair.privateKey.n));
    assert.equal(takeRsaKey(2048), undefined, 'the pool is empty');
  });
});
