/**
 * Checks of TLS key material with Node's crypto alone (X509Certificate, OpenSSL's semantics): the chain, the
 * names, the key against the certificate, expiry; and the zip EMR downloads. No node-forge here: a run that only
 * reads or checks certificates (a re-run's check, `certs --check`, pem-files) loads none of what makes them
 * (certificates.ts, loaded on demand).
 */
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { certificateDnsNames } from './regions.js';
import { createZip } from './zip.js';

export const CERT_FILES = {
  privateKey: 'privateKey.pem',
  chain: 'certificateChain.pem',
  trusted: 'trustedCertificates.pem',
  zip: 'certs.zip',
} as const;

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

/** The DNS names (subjectAltName) and the common name of a certificate, for messages. */
function leafNames(cert: X509Certificate): { dnsNames: string[]; commonName: string } {
  const dnsNames = (cert.subjectAltName ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4));
  const commonName =
    cert.subject
      .split('\n')
      .find((line) => line.startsWith('CN='))
      ?.slice(3) ?? '';
  return { dnsNames, commonName };
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
  const facts = leafNames(leaf);
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
