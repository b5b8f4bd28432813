/**
 * Key material (certs/*.pem, certs/certs.zip) and what documents it (certs/README.md,
 * scripts/generate-certs.sh). Key material is made only when there is none, or on `:certs --rotate`.
 */
import { CERT_FILES, checkCertificate, describeCertificate, generateKeyMaterial, zipCertificates } from '../lib/certificates.js';
import type { Model } from '../lib/model.js';
import type { OutputFile, Piece, PieceContext } from '../lib/piece.js';
import { renderTemplate } from '../lib/render.js';

export const CERTS_DIR = 'certs';
const at = (name: string): string => `${CERTS_DIR}/${name}`;

function requestFor(model: Model) {
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

/** Existing key material, or a message saying what to do when it is incomplete. */
export function readKeyMaterial(ctx: Pick<PieceContext, 'readExisting'>): { key?: string; cert?: string; zip?: Buffer } {
  return {
    key: ctx.readExisting(at(CERT_FILES.privateKey))?.toString('utf8'),
    cert: ctx.readExisting(at(CERT_FILES.chain))?.toString('utf8'),
    zip: ctx.readExisting(at(CERT_FILES.zip)),
  };
}

export const certsPiece: Piece = {
  name: 'certs',
  namesCertificate: true,
  async render(ctx) {
    const { model } = ctx;
    const existing = readKeyMaterial(ctx);
    const files: OutputFile[] = [];
    let key = existing.key;
    let cert = existing.cert;
    if (ctx.rotate || key === undefined) {
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
        ctx.log(`Certificate: ${check.lines.filter((l) => l.startsWith('FAIL')).join('; ')}. It was left as it is: run \`yo secure-emr:certs --rotate\` for a new one.`);
      }
    }
    const facts = describeCertificate(cert);
    if (existing.zip === undefined && files.length === 0) {
      files.push({ path: at(CERT_FILES.zip), contents: zipCertificates(key, cert, facts.notBefore), mode: 0o600, secret: true });
    }
    const coversRegion = model.certificateDnsNames.every((n) => facts.dnsNames.includes(n));
    const data = { m: model, a: model.answers, facts, coversRegion };
    files.push(
      { path: at('README.md'), contents: renderTemplate('certs', 'README.md.ejs', data) },
      { path: 'scripts/generate-certs.sh', contents: renderTemplate('certs', 'generate-certs.sh.ejs', data), mode: 0o755 },
    );
    return files;
  },
};
