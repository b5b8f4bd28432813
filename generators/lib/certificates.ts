/**
 * TLS key material for EMR's PEM certificate provider, made with node-forge (RSA keys through Node's native
 * crypto, never forge's pure-JavaScript path). Pure inputs -> bytes; no file I/O.
 */
import { X509Certificate, constants, createPrivateKey, createPublicKey, privateEncrypt } from 'node:crypto';
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

function pkcs8Pem(key: forge.pki.rsa.PrivateKey): string {
  return forge.pki.privateKeyInfoToPem(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(key)));
}

/**
 * A private CA and a leaf it signs. The CA's key signs the leaf and is then dropped (never returned, never
 * written): there is no long-lived CA key to guard, and a rotation makes a new CA. The two RSA keys are made
 * concurrently on the thread pool.
 */
export async function generateKeyMaterial(req: CertificateRequest): Promise<KeyMaterial> {
  const [caKeys, leafKeys] = await Promise.all([generateRsaKey(req.keySize), generateRsaKey(req.keySize)]);
  const names = certificateDnsNames(req.region);
  const notBefore = new Date((req.notBefore ?? new Date()).getTime());
  notBefore.setUTCMilliseconds(0);
  const notAfter = new Date(notBefore.getTime() + req.validityDays * 86_400_000);

  const ca = forge.pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
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
  const caSigner = nativeSigner(createPrivateKey(pkcs8Pem(caKeys.privateKey)));
  ca.sign(caSigner, forge.md.sha256.create());

  const leaf = forge.pki.createCertificate();
  leaf.publicKey = leafKeys.publicKey;
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

  const privateKeyPem = withLf(pkcs8Pem(leafKeys.privateKey));
  const caPem = withLf(forge.pki.certificateToPem(ca));
  const certificatePem = withLf(forge.pki.certificateToPem(leaf)) + caPem;
  return {
    privateKeyPem,
    certificatePem,
    trustedPem: caPem,
    zip: zipCertificates(privateKeyPem, certificatePem, caPem, notBefore),
  };
}

/**
 * node-forge ends PEM lines with CRLF; OpenSSL and AWS's examples (emr-encryption-enable, "Providing certificates
 * for encrypting data in transit") use LF, as every other tool on the nodes expects.
 */
export function withLf(pem: string): string {
  return pem.replace(/\r\n/g, '\n');
}

/** The zip EMR downloads: the three PEM files at its root. */
export function zipCertificates(privateKeyPem: string, chainPem: string, trustedPem: string, stamp: Date): Buffer {
  return createZip(
    [
      { name: CERT_FILES.privateKey, data: Buffer.from(privateKeyPem) },
      { name: CERT_FILES.chain, data: Buffer.from(chainPem) },
      { name: CERT_FILES.trusted, data: Buffer.from(trustedPem) },
    ],
    stamp,
  );
}

/** The PEM certificates in a text, in order (each with its END line and a newline). */
export function splitPemCertificates(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\r?\n?/g) ?? [];
}

/**
 * The trusted certificates a chain implies when trustedCertificates.pem is missing: its last certificate, if it
 * is self-issued (a root: the private CA, or an older single self-signed certificate); otherwise undefined.
 */
export function trustedFromChain(chainPem: string): string | undefined {
  const certs = splitPemCertificates(chainPem);
  const last = certs[certs.length - 1];
  if (last === undefined) return undefined;
  const x = new X509Certificate(last);
  return x.issuer === x.subject && x.verify(x.publicKey) ? (last.endsWith('\n') ? last : `${last}\n`) : undefined;
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

/** The public key of a private key, as DER; throws when the text is not a private key. */
function publicDer(privateKeyPem: string): Buffer {
  return createPublicKey(createPrivateKey(privateKeyPem)).export({ type: 'spki', format: 'der' });
}

/** Whether the private key belongs to the first certificate of the text (RSA or EC; OpenSSL parses both). */
export function keyMatchesCertificate(privateKeyPem: string, certificatePem: string): boolean {
  const leaf = new X509Certificate(certificatePem);
  return publicDer(privateKeyPem).equals(leaf.publicKey.export({ type: 'spki', format: 'der' }));
}

/** A node name of each domain the certificate must cover (`*.eu-west-1.compute.internal` -> `ip-10-0-0-1.…`). */
export function sampleNodeNames(region: string): string[] {
  return certificateDnsNames(region).map((n) => n.replace(/^\*\./, 'ip-10-0-0-1.'));
}

/**
 * Why the chain does not verify against the trusted certificates, with OpenSSL's semantics: each certificate is
 * issued by the next (issuer name and, where present, key identifiers: `checkIssued`) and its signature verifies
 * with that issuer's key, every issuer is a CA, and the path ends at a trusted certificate. Undefined when it
 * verifies.
 */
export function chainProblem(chainPem: string, trustedPem: string): string | undefined {
  const chain = splitPemCertificates(chainPem).map((p) => new X509Certificate(p));
  const trusted = splitPemCertificates(trustedPem).map((p) => new X509Certificate(p));
  const [leaf, ...rest] = chain;
  if (leaf === undefined) return 'holds no certificate';
  if (trusted.length === 0) return 'the trusted certificates file holds no certificate';
  // A certificate trusted as itself (an older self-signed leaf without keyCertSign) is accepted as OpenSSL does.
  const signs = (issuer: X509Certificate, subject: X509Certificate) =>
    (subject.checkIssued(issuer) ||
      (issuer.fingerprint256 === subject.fingerprint256 && subject.issuer === subject.subject)) &&
    subject.verify(issuer.publicKey);
  let current = leaf;
  for (let depth = 0; depth <= rest.length; depth++) {
    const anchor = trusted.find((t) => signs(t, current) && (t.ca || t.fingerprint256 === current.fingerprint256));
    if (anchor) return undefined;
    const next = rest.find((c) => c.ca && c !== current && signs(c, current));
    if (next === undefined) {
      return `${current.subject.replace(/\n/g, ', ')} is not issued by any trusted certificate (issuer: ${current.issuer.replace(/\n/g, ', ')})`;
    }
    current = next;
  }
  return 'the chain does not end at a trusted certificate';
}

export interface CheckResult {
  ok: boolean;
  lines: string[];
}

/**
 * What `:certs --check` reports, with OpenSSL's semantics through Node's X509Certificate: expiry (every
 * certificate of the chain), the chain against the trusted certificates, the names of the region's nodes
 * (`checkHost`), and the key against the leaf.
 */
export function checkCertificate(
  privateKeyPem: string,
  chainPem: string,
  trustedPem: string,
  region: string,
  now = new Date(),
): CheckResult {
  const certs = splitPemCertificates(chainPem).map((p) => new X509Certificate(p));
  const leaf = certs[0];
  if (leaf === undefined) throw new Error('no certificate');
  const facts = describeCertificate(chainPem);
  const lines: string[] = [];
  let ok = true;
  const notAfter = new Date(Math.min(...certs.map((c) => Date.parse(c.validTo))));
  const daysLeft = Math.floor((notAfter.getTime() - now.getTime()) / 86_400_000);
  if (daysLeft < 0) {
    ok = false;
    lines.push(`FAIL expiry: expired on ${notAfter.toISOString()}`);
  } else if (daysLeft < 30) {
    ok = false;
    lines.push(`FAIL expiry: expires in ${daysLeft} days (${notAfter.toISOString()}); rotate now`);
  } else {
    lines.push(`ok   expiry: ${notAfter.toISOString()} (${daysLeft} days left)`);
  }
  const problem = chainProblem(chainPem, trustedPem);
  if (problem) {
    ok = false;
    lines.push(`FAIL chain: ${problem}`);
  } else {
    lines.push(
      `ok   chain: the certificate verifies against trustedCertificates.pem${certs.length > 1 ? ` (${certs.length} certificates)` : ''}`,
    );
  }
  const wanted = certificateDnsNames(region);
  const uncovered = sampleNodeNames(region).filter((host) => leaf.checkHost(host) === undefined);
  if (uncovered.length > 0) {
    ok = false;
    lines.push(
      `FAIL names: the certificate covers ${facts.dnsNames.join(', ') || facts.commonName}, but nodes in ${region} need ${wanted.join(', ')}`,
    );
  } else {
    lines.push(`ok   names: ${facts.dnsNames.join(', ')} match ${region} (e.g. ${sampleNodeNames(region)[0]})`);
  }
  if (keyMatchesCertificate(privateKeyPem, chainPem)) lines.push('ok   key: the private key matches the certificate');
  else {
    ok = false;
    lines.push('FAIL key: the private key does not match the certificate');
  }
  return { ok, lines };
}
