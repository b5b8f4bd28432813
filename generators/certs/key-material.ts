/**
 * The rules that keep key material from being lost, leaked or replaced implicitly: what is on disk is read as one
 * set (key, certificate, trusted certificates, zip), and every inconsistency is a refusal that says exactly how
 * to restore or rotate. Pure apart from the reads passed in.
 */
import { CERT_FILES, keyMatchesCertificate, trustedFromChain } from '../lib/certificate-checks.js';
import { readZip } from '../lib/zip.js';

export const CERTS_DIR = 'certs';
export const at = (name: string): string => `${CERTS_DIR}/${name}`;
export const ARCHIVE_DIR = at('archive');

export interface KeySetOnDisk {
  key?: string;
  cert?: string;
  trusted?: string;
  zip?: Buffer;
}

export function readKeySet(readExisting: (path: string) => Buffer | undefined): KeySetOnDisk {
  const text = (name: string) => readExisting(at(name))?.toString('utf8');
  return {
    key: text(CERT_FILES.privateKey),
    cert: text(CERT_FILES.chain),
    trusted: text(CERT_FILES.trusted),
    zip: readExisting(at(CERT_FILES.zip)),
  };
}

export class KeyMaterialError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyMaterialError';
  }
}

const ROTATE = '`secure-emr certs --rotate` (or `yo secure-emr:certs --rotate`)';
const RESTORE_FROM_ZIP = (name: string) =>
  `if certs/certs.zip is intact, \`unzip -o certs/certs.zip ${name} -d certs\`${name === CERT_FILES.privateKey ? ' && chmod 600 certs/privateKey.pem' : ''}`;

function parses(pem: string, kind: 'key' | 'certificate'): boolean {
  const marker = kind === 'key' ? /-----BEGIN (RSA )?PRIVATE KEY-----/ : /-----BEGIN CERTIFICATE-----/;
  return marker.test(pem);
}

/**
 * What the set on disk allows. `none`: no key material at all (a first run makes it). `ok`: a consistent set,
 * with the derived files (zip, trusted certificates) that are missing and can be rebuilt from the PEM files.
 * Anything else throws a KeyMaterialError naming the file and the fix.
 */
export function assessKeySet(
  set: KeySetOnDisk,
): { kind: 'none' } | { kind: 'ok'; key: string; cert: string; trusted: string; rebuild: Array<'zip' | 'trusted'> } {
  if (set.key === undefined && set.cert === undefined && set.zip === undefined && set.trusted === undefined)
    return { kind: 'none' };
  if (set.key === undefined) {
    throw new KeyMaterialError(
      `${at(CERT_FILES.privateKey)} is missing while other key material is in certs/; nothing was written and no new key was made. Restore it (your backup, certs/archive/, or ${RESTORE_FROM_ZIP(CERT_FILES.privateKey)}), or make a new set with ${ROTATE}.`,
    );
  }
  if (set.cert === undefined) {
    throw new KeyMaterialError(
      `${at(CERT_FILES.privateKey)} exists but ${at(CERT_FILES.chain)} is missing: restore it (${RESTORE_FROM_ZIP(CERT_FILES.chain)}), or run ${ROTATE} for a new key and certificate.`,
    );
  }
  if (!parses(set.key, 'key')) {
    throw new KeyMaterialError(
      `${at(CERT_FILES.privateKey)} is not a PEM private key; restore it from your backup or certs/archive/, or run ${ROTATE}.`,
    );
  }
  if (!parses(set.cert, 'certificate')) {
    throw new KeyMaterialError(
      `${at(CERT_FILES.chain)} is not a PEM certificate; restore it (${RESTORE_FROM_ZIP(CERT_FILES.chain)}), or run ${ROTATE}.`,
    );
  }
  let matches: boolean;
  try {
    matches = keyMatchesCertificate(set.key, set.cert);
  } catch {
    throw new KeyMaterialError(
      `${at(CERT_FILES.privateKey)} or ${at(CERT_FILES.chain)} cannot be read as PEM; restore them from your backup or certs/archive/, or run ${ROTATE}.`,
    );
  }
  if (!matches) {
    throw new KeyMaterialError(
      `${at(CERT_FILES.privateKey)} does not match ${at(CERT_FILES.chain)}: restore the matching pair (certs/archive/ keeps earlier sets; certs/certs.zip holds the set last made), or run ${ROTATE}.`,
    );
  }
  const rebuild: Array<'zip' | 'trusted'> = [];
  let trusted = set.trusted;
  if (trusted === undefined) {
    trusted = trustedFromChain(set.cert);
    if (trusted === undefined) {
      throw new KeyMaterialError(
        `${at(CERT_FILES.trusted)} is missing and ${at(CERT_FILES.chain)} does not end with a root certificate to rebuild it from: restore it (${RESTORE_FROM_ZIP(CERT_FILES.trusted)}, or your CA's bundle), or run ${ROTATE}.`,
      );
    }
    rebuild.push('trusted');
  }
  if (set.zip === undefined) rebuild.push('zip');
  else {
    const problem = zipProblem(set.zip, set.key, set.cert, trusted);
    if (problem) {
      throw new KeyMaterialError(
        `${at(CERT_FILES.zip)} ${problem}, so it is not what EMR would get from the PEM files in certs/. If the PEM files are right, delete certs/certs.zip and run again (it is rebuilt from them); otherwise restore the set from certs/archive/ or run ${ROTATE}.`,
      );
    }
  }
  return { kind: 'ok', key: set.key, cert: set.cert, trusted, rebuild };
}

/** Why a zip is not exactly the three PEM files at its root, or undefined. */
export function zipProblem(zip: Buffer, key: string, cert: string, trusted: string): string | undefined {
  let entries;
  try {
    entries = readZip(zip);
  } catch (error) {
    return `cannot be read (${(error as Error).message})`;
  }
  const want: Record<string, string> = {
    [CERT_FILES.privateKey]: key,
    [CERT_FILES.chain]: cert,
    [CERT_FILES.trusted]: trusted,
  };
  const names = entries.map((e) => e.name).sort();
  if (names.join() !== Object.keys(want).sort().join())
    return `holds ${names.join(', ') || 'nothing'} instead of ${Object.keys(want).join(', ')}`;
  for (const entry of entries) {
    if (!entry.data.equals(Buffer.from(want[entry.name] ?? '')))
      return `holds a ${entry.name} that differs from ${at(entry.name)}`;
  }
  return undefined;
}

/** File modes key material must have: the key and the zip (which holds the key) readable by the owner only. */
export const SECRET_MODES: Record<string, number> = { [at(CERT_FILES.privateKey)]: 0o600, [at(CERT_FILES.zip)]: 0o600 };

export function modeProblems(modeOf: (path: string) => number | undefined): string[] {
  return Object.entries(SECRET_MODES).flatMap(([path, want]) => {
    const mode = modeOf(path);
    return mode !== undefined && (mode & 0o777) !== want
      ? [
          `${path} has mode ${(mode & 0o777).toString(8)}; it must be ${want.toString(8)}: chmod ${want.toString(8)} ${path}`,
        ]
      : [];
  });
}
