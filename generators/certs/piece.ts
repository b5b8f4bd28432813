/**
 * Key material (certs/*.pem, certs/certs.zip) and what documents it (certs/README.md,
 * scripts/generate-certs.sh). Key material is made only when there is none at all, or on `:certs --rotate`, which
 * first archives the current set in certs/archive/v<N>/. Any inconsistency on disk is a refusal that says how to
 * restore or rotate (key-material.ts). `:certs --check` only reports, and fails on trouble.
 */
import {
  CERT_FILES,
  checkCertificate,
  describeCertificate,
  generateKeyMaterial,
  zipCertificates,
} from '../lib/certificates.js';
import type { CertificateFacts, CertificateRequest } from '../lib/certificates.js';
import type { Model } from '../lib/model.js';
import type { BeforeContext, BeforeRender, OutputFile, Piece } from '../lib/piece.js';
import { templateFile } from '../lib/render.js';
import {
  ARCHIVE_DIR,
  KeyMaterialError,
  assessKeySet,
  at,
  modeProblems,
  readKeySet,
  zipProblem,
} from './key-material.js';
import type { KeySetOnDisk } from './key-material.js';

export { CERTS_DIR } from './key-material.js';

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

function before({ model, readExisting, flags, modeOf, dryRun }: BeforeContext): BeforeRender {
  const set = readKeySet(readExisting);
  if (flags.check) return check(set, model.answers.region, modeOf);
  if (flags.rotate && set.key !== undefined) {
    const version = model.state.certificateVersion + 1;
    return {
      kind: 'render',
      state: { ...model.state, certificateVersion: version },
      notes: [
        dryRun
          ? `Would rotate: certificate version ${version} (the current set would be archived in ${ARCHIVE_DIR}/v${model.state.certificateVersion}/).`
          : `Rotated: certificate version ${version}; the previous set is in ${ARCHIVE_DIR}/v${model.state.certificateVersion}/. Run scripts/deploy.sh to upload the new one and create the new security configuration.`,
      ],
    };
  }
  return { kind: 'render', state: model.state, notes: [] };
}

/** `certs --check`: every problem of the set on disk as a line (expiry, names, key, zip, modes). */
function check(set: KeySetOnDisk, region: string, modeOf: (path: string) => number | undefined): BeforeRender {
  if (set.key === undefined || set.cert === undefined) {
    throw new KeyMaterialError(
      'certs --check: certs/privateKey.pem or certs/certificateChain.pem is missing; restore them, or run `secure-emr certs --rotate` for a new set.',
    );
  }
  let result: { ok: boolean; lines: string[] };
  try {
    result = checkCertificate(set.key, set.cert, region);
  } catch {
    throw new KeyMaterialError(
      'certs --check: certs/privateKey.pem or certs/certificateChain.pem is not valid PEM; restore them from certs/archive/, or run `secure-emr certs --rotate`.',
    );
  }
  const zip =
    set.zip === undefined
      ? 'is missing; run `secure-emr certs` to rebuild it from the PEM files'
      : zipProblem(set.zip, set.key, set.cert, set.trusted ?? set.cert);
  const modes = modeProblems(modeOf);
  return {
    kind: 'report',
    lines: [
      ...result.lines,
      zip ? `FAIL zip: certs/certs.zip ${zip}` : 'ok   zip: certs/certs.zip holds exactly the three PEM files',
      ...(modes.length
        ? modes.map((m) => `FAIL mode: ${m}`)
        : ['ok   modes: the private key and the zip are readable by the owner only']),
    ],
    ok: result.ok && zip === undefined && modes.length === 0,
    failure:
      'certs --check: the key material needs attention (see above); `secure-emr certs --rotate` makes a new set.',
  };
}

/** The four files of a set, written together (staged, then moved into place). */
function keySetFiles(key: string, cert: string, zip: Buffer): OutputFile[] {
  return [
    { path: at(CERT_FILES.privateKey), contents: key, mode: 0o600, secret: true, keySet: true },
    { path: at(CERT_FILES.chain), contents: cert, mode: 0o644, secret: true, keySet: true },
    { path: at(CERT_FILES.trusted), contents: cert, mode: 0o644, secret: true, keySet: true },
    { path: at(CERT_FILES.zip), contents: zip, mode: 0o600, secret: true, keySet: true },
  ];
}

/** Copies of the current set under certs/archive/v<N>/ (a new folder if that one holds something else). */
function archiveFiles(
  version: number,
  existing: Record<string, string | Buffer | undefined>,
  readExisting: (p: string) => Buffer | undefined,
): OutputFile[] {
  const present = Object.entries(existing).filter((e): e is [string, string | Buffer] => e[1] !== undefined);
  const folder = (suffix: string) => `${ARCHIVE_DIR}/v${version}${suffix}`;
  const same = (dir: string) =>
    present.every(([name, data]) => readExisting(`${dir}/${name}`)?.equals(Buffer.from(data)) === true);
  const taken = (dir: string) => present.some(([name]) => readExisting(`${dir}/${name}`) !== undefined);
  let dir = folder('');
  if (same(dir)) return [];
  if (taken(dir)) dir = folder(`-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  return present.map(([name, data]) => ({ path: `${dir}/${name}`, contents: data, mode: 0o600, secret: true }));
}

/** Certificate answers that the existing certificate does not reflect. */
function staleAnswers(model: Model, facts: CertificateFacts): string[] {
  const a = model.answers;
  const wanted: Array<[string, string, string]> = [
    ['certCountry', a.certCountry, 'C'],
    ['certState', a.certState, 'ST'],
    ['certLocality', a.certLocality, 'L'],
    ['certOrganization', a.certOrganization, 'O'],
    ['certOrganizationalUnit', a.certOrganizationalUnit, 'OU'],
  ];
  const stale = wanted.filter(([, value, field]) => facts.subjectFields[field] !== value).map(([name]) => name);
  if (facts.keyBits !== a.certKeySize) stale.push('certKeySize');
  const days = Math.round((facts.notAfter.getTime() - facts.notBefore.getTime()) / 86_400_000);
  if (days !== a.certValidityDays) stale.push('certValidityDays');
  return stale;
}

export const certsPiece: Piece = {
  name: 'certs',
  description:
    'certs/: the TLS key, certificate and zip for in-transit encryption, certs/README.md, scripts/generate-certs.sh',
  flags: [
    { name: 'rotate', description: 'Archive the current key and certificate, then make a new set under a new version' },
    {
      name: 'check',
      description: 'Check expiry, names, key match, the zip and file modes; fail within 30 days of expiry',
    },
  ],
  before,
  async render(ctx) {
    const { model } = ctx;
    const set = readKeySet(ctx.readExisting);
    const assessed = ctx.flags.rotate && set.key !== undefined ? { kind: 'rotate' as const } : assessKeySet(set);
    const files: OutputFile[] = [];
    let key: string;
    let cert: string;
    if (assessed.kind === 'ok') {
      key = assessed.key;
      cert = assessed.cert;
      const check = checkCertificate(key, cert, model.answers.region);
      if (!check.ok) {
        ctx.log(
          `Certificate: ${check.lines.filter((l) => l.startsWith('FAIL')).join('; ')}. It was left as it is: run \`secure-emr certs --rotate\` for a new one.`,
        );
      }
      for (const problem of modeProblems(ctx.modeOf)) ctx.log(`Warning: ${problem}.`);
      if (assessed.rebuild.includes('trusted'))
        files.push({ path: at(CERT_FILES.trusted), contents: cert, mode: 0o644, secret: true });
      if (assessed.rebuild.includes('zip')) {
        files.push({
          path: at(CERT_FILES.zip),
          contents: zipCertificates(key, cert, describeCertificate(cert).notBefore),
          mode: 0o600,
          secret: true,
        });
      }
    } else if (ctx.dryRun) {
      // A dry run makes no key: it only says which files would be written.
      const placeholder = Buffer.from('(new key material is made only by a real run)');
      files.push(...keySetFiles(placeholder.toString(), placeholder.toString(), placeholder));
      if (assessed.kind === 'rotate')
        files.push(...archiveFiles(model.state.certificateVersion - 1, { ...namesOf(set) }, ctx.readExisting));
      return [...files, ...documents(ctx, undefined)];
    } else {
      if (assessed.kind === 'rotate')
        files.push(...archiveFiles(model.state.certificateVersion - 1, namesOf(set), ctx.readExisting));
      const made = await generateKeyMaterial(requestFor(model));
      key = made.privateKeyPem;
      cert = made.certificatePem;
      files.push(...keySetFiles(key, cert, made.zip));
    }
    const facts = describeCertificate(cert);
    const stale = staleAnswers(model, facts);
    if (stale.length > 0) {
      ctx.log(
        `The certificate in certs/ was made with other values than the answers ${stale.join(', ')} now give; it was kept. \`secure-emr certs --rotate\` makes a new one that reflects them (certs/README.md shows the certificate's real subject).`,
      );
    }
    return [...files, ...documents(ctx, facts)];
  },
};

function namesOf(set: ReturnType<typeof readKeySet>): Record<string, string | Buffer | undefined> {
  return {
    [CERT_FILES.privateKey]: set.key,
    [CERT_FILES.chain]: set.cert,
    [CERT_FILES.trusted]: set.trusted,
    [CERT_FILES.zip]: set.zip,
  };
}

/** certs/README.md and scripts/generate-certs.sh; in a dry run without a certificate, the README is left out. */
function documents(ctx: { model: Model }, facts: CertificateFacts | undefined): OutputFile[] {
  const { model } = ctx;
  const script = templateFile('certs', 'scripts/generate-certs.sh', model, { mode: 0o755 });
  if (facts === undefined) return [script];
  const coversRegion = model.certificateDnsNames.every((n) => facts.dnsNames.includes(n));
  return [templateFile('certs', at('README.md'), model, { data: { facts, coversRegion } }), script];
}
