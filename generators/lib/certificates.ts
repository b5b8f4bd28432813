/**
 * TLS key material for EMR's PEM certificate provider, made with node-forge (RSA keys through Node's native
 * crypto, never forge's pure-JavaScript path). Pure inputs -> bytes; no file I/O.
 */
import { constants, createPrivateKey, privateEncrypt } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { takeRsaKey } from './early-keys.js';
import { certificateDnsNames } from './regions.js';
import { createZip } from './zip.js';

export const CERT_FILES = {
  privateKey: 'privateKey.pem',
  chain: 'certificateChain.pem',
  trusted: 'trustedCertificates.pem',
  zip: 'certs.zip',
} as const;

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
  privateKeyPem: string;
  certificatePem: string;
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

export async function generateKeyMaterial(req: CertificateRequest): Promise<KeyMaterial> {
  const keys = await generateRsaKey(req.keySize);
  const names = certificateDnsNames(req.region);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = randomPositiveSerial();
  const notBefore = req.notBefore ?? new Date();
  notBefore.setUTCMilliseconds(0);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = new Date(notBefore.getTime() + req.validityDays * 86_400_000);
  const attrs = [
    { shortName: 'C', value: req.subject.country },
    { shortName: 'ST', value: req.subject.state },
    { shortName: 'L', value: req.subject.locality },
    { shortName: 'O', value: req.subject.organization },
    { shortName: 'OU', value: req.subject.organizationalUnit },
    { shortName: 'CN', value: names[0] },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { name: 'subjectAltName', altNames: names.map((value) => ({ type: 2, value })) },
    { name: 'subjectKeyIdentifier' },
  ]);
  const privateKeyPem = withLf(
    forge.pki.privateKeyInfoToPem(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(keys.privateKey))),
  );
  cert.sign(nativeSigner(createPrivateKey(privateKeyPem)), forge.md.sha256.create());
  const certificatePem = withLf(forge.pki.certificateToPem(cert));
  return { privateKeyPem, certificatePem, zip: zipCertificates(privateKeyPem, certificatePem, notBefore) };
}

/**
 * node-forge ends PEM lines with CRLF; OpenSSL and AWS's examples (emr-encryption-enable, "Providing certificates
 * for encrypting data in transit") use LF, as every other tool on the nodes expects.
 */
export function withLf(pem: string): string {
  return pem.replace(/\r\n/g, '\n');
}

/** The zip EMR downloads: the three PEM files at its root (for self-signed, the trusted set is the certificate). */
export function zipCertificates(privateKeyPem: string, certificatePem: string, stamp: Date): Buffer {
  return createZip(
    [
      { name: CERT_FILES.privateKey, data: Buffer.from(privateKeyPem) },
      { name: CERT_FILES.chain, data: Buffer.from(certificatePem) },
      { name: CERT_FILES.trusted, data: Buffer.from(certificatePem) },
    ],
    stamp,
  );
}

export function describeCertificate(pem: string): CertificateFacts {
  const cert = forge.pki.certificateFromPem(pem);
  const san = cert.getExtension('subjectAltName') as { altNames?: Array<{ type: number; value: string }> } | null;
  const der = forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes();
  const fingerprint = forge.md.sha256.create().update(der).digest().toHex().toUpperCase();
  const subject = cert.subject.attributes.map((a) => `${a.shortName}=${String(a.value)}`).join(', ');
  const publicKey = cert.publicKey as forge.pki.rsa.PublicKey;
  return {
    subject,
    subjectFields: Object.fromEntries(cert.subject.attributes.map((a) => [String(a.shortName), String(a.value)])),
    commonName: String(cert.subject.getField('CN')?.value ?? ''),
    dnsNames: (san?.altNames ?? []).filter((n) => n.type === 2).map((n) => n.value),
    notBefore: cert.validity.notBefore,
    notAfter: cert.validity.notAfter,
    fingerprintSha256: fingerprint.match(/../g)?.join(':') ?? fingerprint,
    serialHex: cert.serialNumber,
    keyBits: publicKey.n.bitLength(),
  };
}

export function keyMatchesCertificate(privateKeyPem: string, certificatePem: string): boolean {
  const key = forge.pki.privateKeyFromPem(privateKeyPem);
  const cert = forge.pki.certificateFromPem(certificatePem);
  const pub = cert.publicKey as forge.pki.rsa.PublicKey;
  return key.n.equals(pub.n) && key.e.equals(pub.e);
}

export interface CheckResult {
  ok: boolean;
  lines: string[];
}

/** What `:certs --check` reports: expiry, names against the region, key against certificate. */
export function checkCertificate(
  privateKeyPem: string,
  certificatePem: string,
  region: string,
  now = new Date(),
): CheckResult {
  const facts = describeCertificate(certificatePem);
  const lines: string[] = [];
  let ok = true;
  const daysLeft = Math.floor((facts.notAfter.getTime() - now.getTime()) / 86_400_000);
  if (daysLeft < 0) {
    ok = false;
    lines.push(`FAIL expiry: expired on ${facts.notAfter.toISOString()}`);
  } else if (daysLeft < 30) {
    ok = false;
    lines.push(`FAIL expiry: expires in ${daysLeft} days (${facts.notAfter.toISOString()}); rotate now`);
  } else {
    lines.push(`ok   expiry: ${facts.notAfter.toISOString()} (${daysLeft} days left)`);
  }
  const wanted = certificateDnsNames(region);
  const missing = wanted.filter((n) => !facts.dnsNames.includes(n));
  if (missing.length > 0 || facts.commonName !== wanted[0]) {
    ok = false;
    lines.push(
      `FAIL names: the certificate covers ${facts.dnsNames.join(', ') || facts.commonName}, but nodes in ${region} need ${wanted.join(', ')}`,
    );
  } else {
    lines.push(`ok   names: ${facts.dnsNames.join(', ')} match ${region}`);
  }
  if (keyMatchesCertificate(privateKeyPem, certificatePem))
    lines.push('ok   key: the private key matches the certificate');
  else {
    ok = false;
    lines.push('FAIL key: the private key does not match the certificate');
  }
  return { ok, lines };
}
