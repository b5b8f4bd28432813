/**
 * RSA keys started before the rest of a run loads: the `secure-emr` bin starts both keys of a self-signed set (the
 * private CA's and the leaf's, `KEYS_PER_SET`) when the run will make key material (bin/secure-emr.ts,
 * `keyBitsNeeded`), so key generation (Node's native crypto, on the thread pool, in parallel) overlaps loading the
 * bundle and rendering; certificates.ts takes them instead of starting its own. A key nobody takes is simply
 * dropped. Small on purpose: the bin loads this before anything else.
 */
// The module object, read at call time (not a named import bound at load): tests count the calls.
import crypto from 'node:crypto';

/** A self-signed set is made of two keys: the private CA's (discarded after signing) and the leaf's. */
export const KEYS_PER_SET = 2;

const pool: Array<{ bits: number; pem: Promise<string> }> = [];

export function startRsaKey(bits: number): void {
  const pem = new Promise<string>((resolve, reject) => {
    crypto.generateKeyPair(
      'rsa',
      {
        modulusLength: bits,
        publicExponent: 0x10001,
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      },
      (error, _publicKey, privateKey) => (error ? reject(error) : resolve(privateKey)),
    );
  });
  pem.catch(() => undefined); // a failure surfaces where the key is taken
  pool.push({ bits, pem });
}

/**
 * Makes sure `count` keys of this size are started (the bin may have started them already): a run that makes a
 * set starts its keys before it loads the certificate code, whichever entry began it.
 */
export function reserveRsaKeys(bits: number, count: number): void {
  for (let have = pool.filter((k) => k.bits === bits).length; have < count; have++) startRsaKey(bits);
}

/** A started key of this size (PKCS#8 PEM), or undefined. */
export function takeRsaKey(bits: number): Promise<string> | undefined {
  const at = pool.findIndex((k) => k.bits === bits);
  return at < 0 ? undefined : pool.splice(at, 1)[0]?.pem;
}

/**
 * The key size a run of the bin will need keys of, or undefined when it will make none: only `app` and `certs`
 * make keys, and only with self-signed certificates (pem-files copies the team's, emr-managed has none); never
 * with --dry-run, --help, --version or --check; `certs --rotate` always; otherwise only when the folder has no
 * key material yet. The size and the source come from the command line, else the --answers file, else the stored
 * answers. A wrong guess
 * costs only the background work.
 */
export function keyBitsNeeded(
  argv: readonly string[],
  exists: (path: string) => boolean,
  readStoredKeySize: () => unknown,
  readStoredSource: () => unknown = () => undefined,
  readAnswersFile: (path: string) => Record<string, unknown> | undefined = () => undefined,
): number | undefined {
  const name = argv[0] !== undefined && !argv[0].startsWith('-') ? argv[0] : 'app';
  if (name !== 'app' && name !== 'certs') return undefined;
  const flags = new Set(argv.filter((a) => a.startsWith('-')).map((a) => a.split('=')[0]));
  for (const f of ['--dry-run', '--help', '-h', '--version', '-v', '--check']) if (flags.has(f)) return undefined;
  const rotating = name === 'certs' && flags.has('--rotate');
  if (!rotating && ['certs/privateKey.pem', 'certs/certificateChain.pem', 'certs/certs.zip'].some(exists))
    return undefined;
  const option = (name: string): string | undefined => {
    const at = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    const arg = argv[at];
    return at < 0 || arg === undefined ? undefined : arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[at + 1];
  };
  // As the run takes them: the command line, else the --answers file, else the stored answers.
  const answersPath = option('answers');
  const file = answersPath === undefined ? undefined : readAnswersFile(answersPath);
  const source = option('certificate-source') ?? file?.certificateSource ?? readStoredSource() ?? 'self-signed';
  if (source !== 'self-signed') return undefined;
  const bits = Number(option('cert-key-size') ?? file?.certKeySize ?? readStoredKeySize() ?? 2048);
  return [2048, 3072, 4096].includes(bits) ? bits : undefined;
}
