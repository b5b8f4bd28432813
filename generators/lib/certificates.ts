/**
 * TLS key material for EMR's PEM certificate provider, made with node-forge (RSA keys through Node's native
 * crypto, never forge's pure-JavaScript path). Pure inputs -> bytes; no file I/O. The run loads this module (and
 * node-forge with it) only when it makes or describes a certificate; the checks are in certificate-checks.ts.
 */
import { X509Certificate, constants, createHash, createPrivateKey, createPublicKey, privateEncrypt } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { startRsaKey, takeRsaKey } from './early-keys.js';
import { withLf, zipCertificates } from './certificate-checks.js';
import { certificateDnsNames } from './regions.js';

export * from './certificate-checks.js';

export interface Subject {
  country: string;
  state: string;
  locality: string;
  organization: string;
  organizationalUnit: string;
}

export interface CertificateRequest {
  region: string;
  subject: Subject;
  validityDays: number;
  keySize: number;
  /** Start of validity; defaults to now. Tests pass a past date to make expired certificates. */
  notBefore?: Date;
}

export interface KeyMaterial {
  /** The leaf's private key (PKCS#8). */
  privateKeyPem: string;
  /** certificateChain.pem: the leaf, then the CA. */
  certificatePem: string;
  /** trustedCertificates.pem: the CA alone. */
  trustedPem: string;
  zip: Buffer;
}

export interface CertificateFacts {
  subject: string;
  /** Subject attributes by short name (C, ST, L, O, OU, CN). */
  subjectFields: Record<string, string>;
  commonName: string;
  dnsNames: string[];
  notBefore: Date;
  notAfter: Date;
  fingerprintSha256: string;
  serialHex: string;
  keyBits: number;
}

function randomPositiveSerial(): string {
  const bytes = forge.random.getBytesSync(16);
  const hex = forge.util.bytesToHex(bytes);
  // Clear the top bit (positive in DER) and keep the first nibble non-zero (no leading zero byte).
  const first = ((parseInt(hex.slice(0, 2), 16) & 0x7f) | 0x10).toString(16).padStart(2, '0');
  return first + hex.slice(2);
}

/**
 * Generates an RSA key with Node's crypto through forge (crypto.generateKeyPair, on libuv's thread pool, so the
 * rest of the run goes on meanwhile); never forge's pure-JavaScript path.
 */
export function generateRsaKey(bits: number): Promise<forge.pki.rsa.KeyPair> {
  const early = takeRsaKey(bits);
  if (early) {
    return early.then((pem) => {
      const privateKey = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
      return { privateKey, publicKey: forge.pki.setRsaPublicKey(privateKey.n, privateKey.e) };
    });
  }
  (forge as unknown as { options: { usePureJavaScript: boolean } }).options.usePureJavaScript = false;
  return new Promise((resolve, reject) => {
    forge.pki.rsa.generateKeyPair({ bits, e: 0x10001 }, (error, keys) => (error ? reject(error) : resolve(keys)));
  });
}

/** A key of a new set, kept native: OpenSSL signs with it, forge only sees its public half. */
interface SetKey {
  /** PKCS#8 PEM as Node's crypto writes it (LF line ends). */
  pem: string;
  key: KeyObject;
  publicKey: forge.pki.rsa.PublicKey;
  /** The subjectKeyIdentifier: SHA-1 of the DER RSAPublicKey (RFC 5280, 4.2.1.2, method 1), as forge bytes. */
  keyId: string;
}

/**
 * An RSA key of a new set: one the bin started early when there is one (early-keys.ts), else one started now, on
 * the thread pool. Only the public numbers go through forge; nothing parses the private key in JavaScript.
 */
async function setKey(bits: number): Promise<SetKey> {
  let pending = takeRsaKey(bits);
  if (pending === undefined) {
    startRsaKey(bits);
    pending = takeRsaKey(bits) as Promise<string>;
  }
  const pem = await pending;
  const key = createPrivateKey(pem);
  const pub = createPublicKey(key);
  const jwk = pub.export({ format: 'jwk' });
  const bigInteger = (b64: string | undefined) =>
    new forge.jsbn.BigInteger(Buffer.from(b64 ?? '', 'base64url').toString('hex'), 16);
  const keyId = createHash('sha1')
    .update(pub.export({ type: 'pkcs1', format: 'der' }))
    .digest()
    .toString('binary');
  return { pem, key, publicKey: forge.pki.setRsaPublicKey(bigInteger(jwk.n), bigInteger(jwk.e)), keyId };
}

/** A forge certificate for a key of a set, its key identifier computed natively instead of in JavaScript. */
function certificateFor(key: SetKey): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = key.publicKey;
  cert.generateSubjectKeyIdentifier = () => forge.util.createBuffer(key.keyId);
  return cert;
}

/** DER prefix of a PKCS#1 v1.5 DigestInfo for SHA-256 (RFC 8017, section 9.2, note 1). */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/**
 * A signer for forge's `certificate.sign`: the RSA private-key operation runs in Node's crypto (OpenSSL)
 * instead of forge's JavaScript big integers, which take tens of milliseconds per signature.
 */
function nativeSigner(key: KeyObject): forge.pki.rsa.PrivateKey {
  const sign = (md: forge.md.MessageDigest): string => {
    const digest = Buffer.from(md.digest().getBytes(), 'binary');
    return privateEncrypt(
      { key, padding: constants.RSA_PKCS1_PADDING },
      Buffer.concat([SHA256_DIGEST_INFO, digest]),
    ).toString('binary');
  };
  return { sign } as unknown as forge.pki.rsa.PrivateKey;
}

type SubjectAttribute = { shortName: string; value: string };

function subjectAttributes(subject: Subject, commonName: string): SubjectAttribute[] {
  return [
    { shortName: 'C', value: subject.country },
    { shortName: 'ST', value: subject.state },
    { shortName: 'L', value: subject.locality },
    { shortName: 'O', value: subject.organization },
    { shortName: 'OU', value: subject.organizationalUnit },
    { shortName: 'CN', value: commonName },
  ];
}

/** The common name of the private CA that signs a project's leaf certificate. */
export function caCommonName(region: string): string {
  return `secure-emr private CA (${region})`;
}

/**
 * A private CA and a leaf it signs. The CA's key signs the leaf and is then dropped (never returned, never
 * written): there is no long-lived CA key to guard, and a rotation makes a new CA. The two RSA keys are made
 * concurrently on the thread pool.
 */
export async function generateKeyMaterial(req: CertificateRequest): Promise<KeyMaterial> {
  const [caKey, leafKey] = await Promise.all([setKey(req.keySize), setKey(req.keySize)]);
  const names = certificateDnsNames(req.region);
  const notBefore = new Date((req.notBefore ?? new Date()).getTime());
  notBefore.setUTCMilliseconds(0);
  const notAfter = new Date(notBefore.getTime() + req.validityDays * 86_400_000);

  const ca = certificateFor(caKey);
  ca.serialNumber = randomPositiveSerial();
  ca.validity.notBefore = notBefore;
  ca.validity.notAfter = notAfter;
  const caAttrs = subjectAttributes(req.subject, caCommonName(req.region));
  ca.setSubject(caAttrs);
  ca.setIssuer(caAttrs);
  const caKeyId = ca.generateSubjectKeyIdentifier().getBytes();
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  const caSigner = nativeSigner(caKey.key);
  ca.sign(caSigner, forge.md.sha256.create());

  const leaf = certificateFor(leafKey);
  leaf.serialNumber = randomPositiveSerial();
  leaf.validity.notBefore = notBefore;
  leaf.validity.notAfter = notAfter;
  leaf.setSubject(subjectAttributes(req.subject, names[0] ?? ''));
  leaf.setIssuer(caAttrs);
  leaf.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { name: 'subjectAltName', altNames: names.map((value) => ({ type: 2, value })) },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caKeyId },
  ]);
  leaf.sign(caSigner, forge.md.sha256.create());

  const privateKeyPem = withLf(leafKey.pem);
  const caPem = withLf(forge.pki.certificateToPem(ca));
  const certificatePem = withLf(forge.pki.certificateToPem(leaf)) + caPem;
  return {
    privateKeyPem,
    certificatePem,
    trustedPem: caPem,
    zip: zipCertificates(privateKeyPem, certificatePem, caPem, notBefore),
  };
}

export function describeCertificate(pem: string): CertificateFacts {
  const cert = forge.pki.certificateFromPem(pem);
  const san = cert.getExtension('subjectAltName') as { altNames?: Array<{ type: number; value: string }> } | null;
  // The fingerprint of the certificate's own DER, by OpenSSL (the first certificate of the text, as forge reads).
  const fingerprint = new X509Certificate(pem).fingerprint256;
  const subject = cert.subject.attributes.map((a) => `${a.shortName}=${String(a.value)}`).join(', ');
  const publicKey = cert.publicKey as forge.pki.rsa.PublicKey;
  return {
    subject,
    subjectFields: Object.fromEntries(cert.subject.attributes.map((a) => [String(a.shortName), String(a.value)])),
    commonName: String(cert.subject.getField('CN')?.value ?? ''),
    dnsNames: (san?.altNames ?? []).filter((n) => n.type === 2).map((n) => n.value),
    notBefore: cert.validity.notBefore,
    notAfter: cert.validity.notAfter,
    fingerprintSha256: fingerprint,
    serialHex: cert.serialNumber,
    keyBits: publicKey.n.bitLength(),
  };
}
