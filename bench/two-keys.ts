/**
 * The floor of a self-signed set in Node, for `npm run bench`: Node starts, makes the two RSA-2048 keys of a set
 * (the private CA's and the leaf's) in parallel on the thread pool as the generator does, and writes them. No
 * certificate, no project: what any Node tool making a CA and a leaf pays before its own work.
 */
import { generateKeyPair } from 'node:crypto';
import { writeFileSync } from 'node:fs';

const key = (): Promise<string> =>
  new Promise((resolve, reject) =>
    generateKeyPair(
      'rsa',
      {
        modulusLength: 2048,
        publicExponent: 0x10001,
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      },
      (error, _publicKey, privateKey) => (error ? reject(error) : resolve(privateKey)),
    ),
  );

const keys = await Promise.all([key(), key()]);
keys.forEach((pem, i) => writeFileSync(`key-${i}.pem`, pem, { mode: 0o600 }));
