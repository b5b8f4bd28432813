/**
 * Key material (certs/*.pem, certs/certs.zip) and what documents it (certs/README.md,
 * scripts/generate-certs.sh). Key material is made only when there is none, or on `:certs --rotate`;
 * `:certs --check` only reports.
 */
import {
  CERT_FILES,
  checkCertificate,
  describeCertificate,
  generateKeyMaterial,
  zipCertificates,
} from '../lib/certificates.js';
import type { CertificateRequest } from '../lib/certificates.js';
import type { Model } from '../lib/model.js';
import type { BeforeContext, BeforeRender, OutputFile, Piece } from '../lib/piece.js';
import { templateFile } from '../lib/render.js';

export const CERTS_DIR = 'certs';
const at = (name: string): string => `${CERTS_DIR}/${name}`;

function requestFor(model: Model): CertificateRequest {
  const a = model.answers;
  return {
    region: a.region,
    subject: {
      country: a.certCountry,
      state: a.certState,
      locality: a.certLocality,
      organization: a.certOrganization,
      organizationalUnit: a.certOrganizationalUnit,
    },
    validityDays: a.certValidityDays,
    keySize: a.certKeySize,
  };
}

/** Existing key material, as it is on disk. */
export function readKeyMaterial(ctx: Pick<BeforeContext, 'readExisting'>): {
  key?: string;
  cert?: string;
  zip?: Buffer;
} {
  return {
    key: ctx.readExisting(at(CERT_FILES.privateKey))?.toString('utf8'),
    cert: ctx.readExisting(at(CERT_FILES.chain))?.toString('utf8'),
    zip: ctx.readExisting(at(CERT_FILES.zip)),
  };
}

function before({ model, readExisting, flags }: BeforeContext): BeforeRender {
  const existing = readKeyMaterial({ readExisting });
  if (flags.check) {
    if (existing.key === undefined || existing.cert === undefined) {
      throw new Error(
        'certs --check: certs/privateKey.pem or certs/certificateChain.pem is missing; run `yo secure-emr:certs` to make them.',
      );
    }
    const result = checkCertificate(existing.key, existing.cert, model.answers.region);
    return {
      kind: 'report',
      lines: result.lines,
      ok: result.ok,
      failure:
        'certs --check: the certificate needs attention (see above); `yo secure-emr:certs --rotate` makes a new one.',
    };
  }
  if (flags.rotate && existing.key !== undefined) {
    const version = model.state.certificateVersion + 1;
    return {
      kind: 'render',
      state: { ...model.state, certificateVersion: version },
      notes: [
        `Rotated: certificate version ${version}; run scripts/deploy.sh to upload it and create the new security configuration.`,
      ],
    };
  }
  return { kind: 'render', state: model.state, notes: [] };
}

export const certsPiece: Piece = {
  name: 'certs',
  description:
    'certs/: the TLS key, certificate and zip for in-transit encryption, certs/README.md, scripts/generate-certs.sh',
  flags: [
    { name: 'rotate', description: 'Make a new key and certificate under a new version' },
    { name: 'check', description: 'Report expiry, names and key match; fail within 30 days of expiry' },
  ],
  before,
  async render(ctx) {
    const { model } = ctx;
    const existing = readKeyMaterial(ctx);
    const files: OutputFile[] = [];
    let key = existing.key;
    let cert = existing.cert;
    if (ctx.flags.rotate || key === undefined) {
      const made = await generateKeyMaterial(requestFor(model));
      key = made.privateKeyPem;
      cert = made.certificatePem;
      files.push(
        { path: at(CERT_FILES.privateKey), contents: key, mode: 0o600, secret: true },
        { path: at(CERT_FILES.chain), contents: cert, mode: 0o644, secret: true },
        { path: at(CERT_FILES.trusted), contents: cert, mode: 0o644, secret: true },
        { path: at(CERT_FILES.zip), contents: made.zip, mode: 0o600, secret: true },
      );
    } else if (cert === undefined) {
      throw new Error(
        `${at(CERT_FILES.privateKey)} exists but ${at(CERT_FILES.chain)} is missing: restore it, or run \`yo secure-emr:certs --rotate\` for a new key and certificate.`,
      );
    } else {
      const check = checkCertificate(key, cert, model.answers.region);
      if (!check.ok) {
        ctx.log(
          `Certificate: ${check.lines.filter((l) => l.startsWith('FAIL')).join('; ')}. It was left as it is: run \`yo secure-emr:certs --rotate\` for a new one.`,
        );
      }
    }
    const facts = describeCertificate(cert);
    if (existing.zip === undefined && files.length === 0) {
      files.push({
        path: at(CERT_FILES.zip),
        contents: zipCertificates(key, cert, facts.notBefore),
        mode: 0o600,
        secret: true,
      });
    }
    const coversRegion = model.certificateDnsNames.every((n) => facts.dnsNames.includes(n));
    const data = { facts, coversRegion };
    files.push(
      templateFile('certs', at('README.md'), model, { data }),
      templateFile('certs', 'scripts/generate-certs.sh', model, { data, mode: 0o755 }),
    );
    return files;
  },
};
