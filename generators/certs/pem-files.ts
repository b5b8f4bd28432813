/**
 * `certificateSource: pem-files`: the team's own CA-issued key, chain and trusted certificates. The three files
 * are read through a safe reader and validated, with OpenSSL's semantics, before anything is written; every
 * refusal names the file and the fix. They are then copied into certs/ as the key-material set (piece.ts).
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Answers } from '../lib/answers.js';
import {
  chainProblem,
  keyMatchesCertificate,
  sampleNodeNames,
  splitPemCertificates,
} from '../lib/certificate-checks.js';
import { certificateDnsNames } from '../lib/regions.js';
import { KeyMaterialError } from './key-material.js';

/** A PEM file larger than this is not a key, a chain or a CA bundle. */
export const MAX_PEM_BYTES = 1024 * 1024;
/** A certificate set with less validity left than this is refused: a cluster would outlive it. */
export const MIN_DAYS_LEFT = 30;

export interface PemSources {
  key: string;
  chain: string;
  trusted: string;
}

/** Which answer gives which file, for messages. */
const ANSWER_OF = { key: 'certPrivateKey', chain: 'certChain', trusted: 'certTrustedCertificates' } as const;

/**
 * Reads one source file: a relative path is taken from the project folder; the file must be a regular file (a
 * symlink is refused, not followed: what is copied is what was named), at most MAX_PEM_BYTES, and is opened
 * with O_NOFOLLOW and checked again after opening (no swap between the check and the read).
 */
export function readSourceFile(projectRoot: string, path: string, answer: string): string {
  const full = isAbsolute(path) ? path : resolve(projectRoot, path);
  const refuse = (why: string) =>
    new KeyMaterialError(`${path} (${answer}) ${why}; nothing was written. Give the path of the PEM file itself.`);
  let stat;
  try {
    stat = lstatSync(full);
  } catch {
    throw refuse('cannot be read: it does not exist or is not accessible');
  }
  if (stat.isSymbolicLink()) throw refuse('is a symbolic link, which is not followed');
  if (!stat.isFile()) throw refuse('is not a regular file');
  if (stat.size > MAX_PEM_BYTES) throw refuse(`is larger than ${MAX_PEM_BYTES} bytes, so it is not a PEM file`);
  const fd = openSync(full, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const opened = fstatSync(fd);
    if (opened.ino !== stat.ino || opened.dev !== stat.dev || !opened.isFile()) throw refuse('changed while read');
    const buffer = Buffer.alloc(Math.min(opened.size, MAX_PEM_BYTES) + 1);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    if (length > MAX_PEM_BYTES) throw refuse(`is larger than ${MAX_PEM_BYTES} bytes, so it is not a PEM file`);
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export function readPemSources(projectRoot: string, a: Answers): PemSources {
  const path = (name: keyof typeof ANSWER_OF): string => {
    const value = a[ANSWER_OF[name]];
    if (value === undefined) {
      throw new KeyMaterialError(
        `certificateSource is pem-files but ${ANSWER_OF[name]} is not given; pass --${ANSWER_OF[name].replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} PATH.`,
      );
    }
    return value;
  };
  return {
    key: readSourceFile(projectRoot, path('key'), ANSWER_OF.key),
    chain: readSourceFile(projectRoot, path('chain'), ANSWER_OF.chain),
    trusted: readSourceFile(projectRoot, path('trusted'), ANSWER_OF.trusted),
  };
}

/**
 * Every problem of a CA-issued set, each naming the file (by its answer and path) and the fix; empty when the set
 * can go to EMR: parseable, the key matches the leaf (the chain's first certificate), the chain verifies against
 * the trusted certificates, the leaf covers the region's node names, and every certificate of the chain has at
 * least MIN_DAYS_LEFT days of validity left.
 */
export function pemSourceProblems(sources: PemSources, a: Answers, now = new Date()): string[] {
  const name = (k: keyof typeof ANSWER_OF) => `${a[ANSWER_OF[k]] ?? '(not given)'} (${ANSWER_OF[k]})`;
  const problems: string[] = [];
  try {
    const key = createPrivateKey(sources.key);
    if (key.asymmetricKeyType !== 'rsa') {
      problems.push(
        `${name('key')} is a ${key.asymmetricKeyType ?? 'non-RSA'} key; this generator handles RSA keys only: have your CA issue an RSA certificate`,
      );
    }
  } catch {
    problems.push(
      `${name('key')} is not an unencrypted PEM private key; export it without a passphrase (e.g. \`openssl pkey -in KEY -out key.pem\`)`,
    );
  }
  const chainPems = splitPemCertificates(sources.chain);
  const trustedPems = splitPemCertificates(sources.trusted);
  const parse = (pems: string[], k: keyof typeof ANSWER_OF): X509Certificate[] | undefined => {
    try {
      if (pems.length === 0) throw new Error('none');
      return pems.map((p) => new X509Certificate(p));
    } catch {
      problems.push(
        `${name(k)} holds no readable PEM certificate; give the ${k === 'chain' ? 'leaf certificate followed by its intermediates' : "CA certificates nodes must trust (your CA's root)"} in PEM`,
      );
      return undefined;
    }
  };
  const chain = parse(chainPems, 'chain');
  const trusted = parse(trustedPems, 'trusted');
  if (problems.length > 0 || chain === undefined || trusted === undefined) return problems;
  const leaf = chain[0] as X509Certificate;
  if (!keyMatchesCertificate(sources.key, sources.chain)) {
    problems.push(
      `${name('key')} does not match the first certificate of ${name('chain')}; give the key the certificate was issued for (the chain must start with that certificate)`,
    );
  }
  const chainIssue = chainProblem(sources.chain, sources.trusted);
  if (chainIssue) {
    problems.push(
      `${name('chain')} does not verify against ${name('trusted')}: ${chainIssue}; add the missing intermediates to the chain, or give the CA that issued it as trusted certificates`,
    );
  }
  const uncovered = sampleNodeNames(a.region).filter((host) => leaf.checkHost(host) === undefined);
  if (uncovered.length > 0) {
    problems.push(
      `${name('chain')}: the certificate (${leaf.subjectAltName ?? leaf.subject.replace(/\n/g, ', ')}) does not cover ${uncovered.join(', ')}; nodes in ${a.region} need ${certificateDnsNames(a.region).join(', ')} in its subjectAltName: have your CA issue one for them`,
    );
  }
  for (const [i, cert] of chain.entries()) {
    const from = Date.parse(cert.validFrom);
    const to = Date.parse(cert.validTo);
    const daysLeft = Math.floor((to - now.getTime()) / 86_400_000);
    const which = i === 0 ? 'the certificate' : `certificate ${i + 1} of the chain`;
    if (from > now.getTime()) {
      problems.push(
        `${name('chain')}: ${which} is not valid before ${new Date(from).toISOString()}; wait or reissue it`,
      );
    } else if (daysLeft < MIN_DAYS_LEFT) {
      problems.push(
        `${name('chain')}: ${which} ${daysLeft < 0 ? 'has expired' : `expires in ${daysLeft} days`} (${new Date(to).toISOString()}); at least ${MIN_DAYS_LEFT} days are needed: have your CA issue a new one`,
      );
    }
  }
  return problems;
}

/** Refuses the set with all its problems, or returns it normalised (each file ending in a newline). */
export function validatedPemSources(sources: PemSources, a: Answers, now = new Date()): PemSources {
  const problems = pemSourceProblems(sources, a, now);
  if (problems.length > 0) {
    throw new KeyMaterialError(
      `The certificate files given (certificateSource pem-files) cannot be used; nothing was written:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
  const nl = (t: string) => (t.endsWith('\n') ? t : `${t}\n`);
  return { key: nl(sources.key), chain: nl(sources.chain), trusted: nl(sources.trusted) };
}
