/**
 * Key material (certs/*.pem, certs/certs.zip) and what documents it (certs/README.md,
 * scripts/generate-certs.sh), by certificateSource: `self-signed` makes a private CA and a leaf (the CA key is
 * discarded after signing), `pem-files` validates the team's CA-issued files and copies them in, `emr-managed`
 * writes no key material at all (only certs/README.md). Key material is made or copied only when there is none at
 * all, or on `:certs --rotate`, which first archives the current set in certs/archive/v<N>/. Any inconsistency on disk is a refusal that says how to
 * restore or rotate (key-material.ts). `:certs --check` only reports, and fails on trouble.
 */
import { CERT_FILES, checkCertificate, trustedFromChain, zipCertificates } from '../lib/certificate-checks.js';
import type { CertificateFacts, CertificateRequest, KeyMaterial } from '../lib/certificates.js';
import type { Model } from '../lib/model.js';
import type { BeforeContext, BeforeRender, OutputFile, Piece, PieceContext } from '../lib/piece.js';
import { templateFile } from '../lib/render.js';
import { KEYS_PER_SET, reserveRsaKeys } from '../lib/early-keys.js';
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
import { readPemSources, validatedPemSources } from './pem-files.js';

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

const SOURCE_NOTE = {
  'emr-managed':
    'certificateSource is emr-managed: EMR makes and rotates nothing in certs/; recreate the security configuration before its CA expires (certs/README.md).',
} as const;

function before({ model, readExisting, flags, modeOf, dryRun }: BeforeContext): BeforeRender {
  const set = readKeySet(readExisting);
  const source = model.answers.certificateSource;
  if (flags.check) {
    if (source === 'emr-managed') {
      return {
        kind: 'report',
        lines: [
          'ok   source: emr-managed; EMR holds the CA (Secrets Manager) and the certificates, there is no key material to check here',
          'info verify: scripts/verify-encryption.sh checks that the CA secret of the security configuration exists',
        ],
        ok: true,
        failure: '',
      };
    }
    return check(set, model.answers.region, modeOf);
  }
  if (flags.rotate && source === 'emr-managed') {
    // No key material: the version only names the security configuration, so a new one (and a new CA) is made.
    const version = model.state.certificateVersion + 1;
    return {
      kind: 'render',
      state: { ...model.state, certificateVersion: version },
      notes: [
        `${dryRun ? 'Would move' : 'Moved'} to certificate version ${version}: scripts/deploy.sh creates a new security configuration, and with it a new EMR-managed CA; start new clusters on it, then delete the old configuration (certs/README.md).`,
      ],
    };
  }
  if (flags.rotate && set.key !== undefined) {
    const version = model.state.certificateVersion + 1;
    return {
      kind: 'render',
      state: { ...model.state, certificateVersion: version },
      notes: [
        dryRun
          ? `Would rotate: certificate version ${version} (the current set would be archived in ${ARCHIVE_DIR}/v${model.state.certificateVersion}/).`
          : `Rotated: certificate version ${version}; the previous set is archived under ${ARCHIVE_DIR}/ (folder below). Run scripts/deploy.sh to upload the new one and create the new security configuration.`,
      ],
    };
  }
  return { kind: 'render', state: model.state, notes: [] };
}

/** `certs --check`: every problem of the set on disk as a line (expiry, chain, names, key, zip, modes). */
function check(set: KeySetOnDisk, region: string, modeOf: (path: string) => number | undefined): BeforeRender {
  if (set.key === undefined || set.cert === undefined) {
    throw new KeyMaterialError(
      'certs --check: certs/privateKey.pem or certs/certificateChain.pem is missing; restore them, or run `secure-emr certs --rotate` for a new set.',
    );
  }
  const trusted = set.trusted ?? trustedFromChain(set.cert) ?? '';
  let result: { ok: boolean; lines: string[] };
  try {
    result = checkCertificate(set.key, set.cert, trusted, region);
  } catch {
    throw new KeyMaterialError(
      'certs --check: certs/privateKey.pem, certs/certificateChain.pem or certs/trustedCertificates.pem is not valid PEM; restore them from certs/archive/, or run `secure-emr certs --rotate`.',
    );
  }
  const zip =
    set.zip === undefined
      ? 'is missing; run `secure-emr certs` to rebuild it from the PEM files'
      : zipProblem(set.zip, set.key, set.cert, trusted);
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
function keySetFiles(
  key: OutputFile['contents'],
  chain: OutputFile['contents'],
  trusted: OutputFile['contents'],
  zip: OutputFile['contents'],
): OutputFile[] {
  return [
    { path: at(CERT_FILES.privateKey), contents: key, mode: 0o600, secret: true, keySet: true },
    { path: at(CERT_FILES.chain), contents: chain, mode: 0o644, secret: true, keySet: true },
    { path: at(CERT_FILES.trusted), contents: trusted, mode: 0o644, secret: true, keySet: true },
    { path: at(CERT_FILES.zip), contents: zip, mode: 0o600, secret: true, keySet: true },
  ];
}

/** Copies of the current set under certs/archive/v<N>/ (a new folder if that one holds something else). */
function archiveFiles(
  version: number,
  existing: Record<string, string | Buffer | undefined>,
  readExisting: (p: string) => Buffer | undefined,
  log: (message: string) => void,
): OutputFile[] {
  const present = Object.entries(existing).filter((e): e is [string, string | Buffer] => e[1] !== undefined);
  const folder = (suffix: string) => `${ARCHIVE_DIR}/v${version}${suffix}`;
  const same = (dir: string) =>
    present.every(([name, data]) => readExisting(`${dir}/${name}`)?.equals(Buffer.from(data)) === true);
  const taken = (dir: string) => present.some(([name]) => readExisting(`${dir}/${name}`) !== undefined);
  let dir = folder('');
  if (same(dir)) return [];
  if (taken(dir)) dir = folder(`-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  log(`Archive of the previous set: ${dir}/`);
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
    'certs/: the TLS key, certificate chain, trusted CA and zip for in-transit encryption (none with emr-managed), certs/README.md, scripts/generate-certs.sh',
  flags: [
    {
      name: 'rotate',
      description:
        'Archive the current key and certificates, then make (or copy, with pem-files) a new set under a new version',
    },
    {
      name: 'check',
      description: 'Check expiry, the chain, names, key match, the zip and file modes; fail within 30 days of expiry',
    },
  ],
  before,
  async render(ctx) {
    const source = ctx.model.answers.certificateSource;
    if (source === 'emr-managed') return emrManaged(ctx);
    if (source === 'pem-files') return pemFiles(ctx);
    return selfSigned(ctx);
  },
};

/** With emr-managed certificates: only certs/README.md; key material left on disk is kept and reported. */
function emrManaged(ctx: PieceContext): OutputFile[] {
  const set = readKeySet(ctx.readExisting);
  const left = Object.entries(namesOf(set))
    .filter(([, data]) => data !== undefined)
    .map(([name]) => at(name));
  if (left.length > 0) {
    ctx.log(
      `certificateSource is emr-managed, so ${left.join(', ')} ${left.length > 1 ? 'are' : 'is'} no longer used; ${left.length > 1 ? 'they were' : 'it was'} kept (key material is never deleted implicitly). Once a cluster runs on the EMR-managed security configuration, move them out of the repository folder (\`mkdir -p ~/secure-emr-old && mv certs/*.pem certs/certs.zip ~/secure-emr-old/\`) or delete them; they are git-ignored meanwhile.`,
    );
  }
  ctx.log(SOURCE_NOTE['emr-managed']);
  return [templateFile('certs', at('README.md'), ctx.model, { data: { facts: undefined, coversRegion: true } })];
}

/** node-forge's side of certificates.ts, loaded only by a run that makes or describes a certificate. */
const forgeSide = () => import('../lib/certificates.js');

/** With pem-files: the team's files, validated, then copied in as the set (or kept when already there). */
async function pemFiles(ctx: PieceContext): Promise<OutputFile[]> {
  const { describeCertificate } = await forgeSide();
  const { model } = ctx;
  const set = readKeySet(ctx.readExisting);
  const sources = validatedPemSources(readPemSources(ctx.root, model.answers), model.answers);
  const rotate = ctx.flags.rotate === true && set.key !== undefined;
  const same = set.key === sources.key && set.cert === sources.chain && set.trusted === sources.trusted;
  const files: OutputFile[] = [];
  if (set.key !== undefined && !rotate) {
    const assessed = assessKeySet(set);
    if (!same) {
      throw new KeyMaterialError(
        'certs/ holds another key and certificates than the files certPrivateKey, certChain and certTrustedCertificates name; nothing was written. To use the new files, run `secure-emr certs --rotate` (the current set is archived in certs/archive/ first, under a new certificate version); to keep the current set, give the paths it came from.',
      );
    }
    if (assessed.kind === 'ok' && assessed.rebuild.includes('zip')) {
      files.push({
        path: at(CERT_FILES.zip),
        contents: zipCertificates(
          sources.key,
          sources.chain,
          sources.trusted,
          describeCertificate(sources.chain).notBefore,
        ),
        mode: 0o600,
        secret: true,
      });
    }
    for (const problem of modeProblems(ctx.modeOf)) ctx.log(`Warning: ${problem}.`);
  } else {
    if (rotate)
      files.push(...archiveFiles(model.state.certificateVersion - 1, namesOf(set), ctx.readExisting, ctx.log));
    const stamp = describeCertificate(sources.chain).notBefore;
    files.push(
      ...keySetFiles(
        sources.key,
        sources.chain,
        sources.trusted,
        zipCertificates(sources.key, sources.chain, sources.trusted, stamp),
      ),
    );
  }
  return [...files, ...documents(ctx, describeCertificate(sources.chain))];
}

/** With self-signed: a private CA and a leaf, made when there is no set (or on --rotate). */
async function selfSigned(ctx: PieceContext): Promise<OutputFile[]> {
  const { model } = ctx;
  const set = readKeySet(ctx.readExisting);
  const assessed = ctx.flags.rotate && set.key !== undefined ? { kind: 'rotate' as const } : assessKeySet(set);
  // A dry run that would make a set needs no certificate code at all.
  if (ctx.dryRun && assessed.kind !== 'ok') return dryRunSet(ctx, set, assessed.kind);
  if (assessed.kind !== 'ok') {
    const files =
      assessed.kind === 'rotate'
        ? archiveFiles(model.state.certificateVersion - 1, namesOf(set), ctx.readExisting, ctx.log)
        : [];
    // The new set is still being made (its keys on the thread pool, started now unless the bin did): its files are
    // returned pending, so that the run writes what does not depend on them meanwhile.
    reserveRsaKeys(model.answers.certKeySize, KEYS_PER_SET);
    const made = pending(forgeSide().then(({ generateKeyMaterial }) => generateKeyMaterial(requestFor(model))));
    const part = <T extends string | Buffer>(pick: (m: KeyMaterial) => T) => pending(made.then(pick));
    files.push(
      ...keySetFiles(
        part((m) => m.privateKeyPem),
        part((m) => m.certificatePem),
        part((m) => m.trustedPem),
        part((m) => m.zip),
      ),
      ...documents(
        ctx,
        made.then((m) => m.facts),
      ),
    );
    return files;
  }
  const { describeCertificate } = await forgeSide();
  const files: OutputFile[] = [];
  const cert = assessed.cert;
  const facts = describeCertificate(cert);
  const check = checkCertificate(assessed.key, cert, assessed.trusted, model.answers.region);
  if (!check.ok) {
    ctx.log(
      `Certificate: ${check.lines.filter((l) => l.startsWith('FAIL')).join('; ')}. It was left as it is: run \`secure-emr certs --rotate\` for a new one.`,
    );
  }
  for (const problem of modeProblems(ctx.modeOf)) ctx.log(`Warning: ${problem}.`);
  if (assessed.rebuild.includes('trusted'))
    files.push({ path: at(CERT_FILES.trusted), contents: assessed.trusted, mode: 0o644, secret: true });
  if (assessed.rebuild.includes('zip')) {
    files.push({
      path: at(CERT_FILES.zip),
      contents: zipCertificates(assessed.key, cert, assessed.trusted, facts.notBefore),
      mode: 0o600,
      secret: true,
    });
  }
  // A set made now reflects the answers by construction; a kept one may not.
  const stale = staleAnswers(model, facts);
  if (stale.length > 0) {
    ctx.log(
      `The certificate in certs/ was made with other values than the answers ${stale.join(', ')} now give; it was kept. \`secure-emr certs --rotate\` makes a new one that reflects them (certs/README.md shows the certificate's real subject).`,
    );
  }
  return [...files, ...documents(ctx, facts)];
}

/** A promise whose failure is reported where the run waits for it, never as an unhandled rejection. */
function pending<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** A dry run makes no key: it only says which files would be written. */
function dryRunSet(ctx: PieceContext, set: KeySetOnDisk, kind: 'none' | 'rotate'): OutputFile[] {
  const placeholder = Buffer.from('(new key material is made only by a real run)');
  const text = placeholder.toString();
  const files = keySetFiles(text, text, text, placeholder);
  if (kind === 'rotate')
    files.push(...archiveFiles(ctx.model.state.certificateVersion - 1, { ...namesOf(set) }, ctx.readExisting, ctx.log));
  return [...files, ...documents(ctx, undefined)];
}

function namesOf(set: ReturnType<typeof readKeySet>): Record<string, string | Buffer | undefined> {
  return {
    [CERT_FILES.privateKey]: set.key,
    [CERT_FILES.chain]: set.cert,
    [CERT_FILES.trusted]: set.trusted,
    [CERT_FILES.zip]: set.zip,
  };
}

/**
 * certs/README.md and scripts/generate-certs.sh; in a dry run without a certificate, the README is left out. The
 * README documents the certificate, so it is pending while a new one is made.
 */
function documents(
  ctx: { model: Model },
  facts: CertificateFacts | Promise<CertificateFacts> | undefined,
): OutputFile[] {
  const { model } = ctx;
  // The OpenSSL script makes a self-signed set; with the team's own files it would only mislead.
  const script =
    model.answers.certificateSource === 'self-signed'
      ? [templateFile('certs', 'scripts/generate-certs.sh', model, { mode: 0o755 })]
      : [];
  // A dry run without a certificate yet: the README is still one of the files the run would write.
  if (facts === undefined) return [{ path: at('README.md'), contents: '(written by a real run)\n' }, ...script];
  const readme = (known: CertificateFacts): string => {
    const coversRegion = model.certificateDnsNames.every((n) => known.dnsNames.includes(n));
    return String(templateFile('certs', at('README.md'), model, { data: { facts: known, coversRegion } }).contents);
  };
  const contents = facts instanceof Promise ? pending(facts.then(readme)) : readme(facts);
  return [{ path: at('README.md'), contents }, ...script];
}
