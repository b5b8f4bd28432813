/**
 * `npm run bench`: times whole processes, alternating the commands within every round (so machine noise hits all
 * of them alike), and reports each as the median of its paired ratios (this round's run / this round's baseline)
 * with the spread (first and last quartile). BENCH_RUNS sets the rounds (default 31); BENCH_OUT the JSON file.
 *
 *   recipe      the README's OpenSSL recipe: openssl req -x509 -newkey rsa:2048 ... && cp && zip (the article)
 *   node -e 0   Node's own start-up: the baseline of runs that make no key
 *   floor       Node starting and making the two RSA keys of a set, nothing else (bench/two-keys.ts): what a full
 *               run cannot go below on this machine, paired with the recipe like the full run
 *   full run, certs --rotate                                     goal <= 2.0x the recipe
 *   re-run, subgenerator, --dry-run, certs --check, --help       goal <= 4x node -e 0
 * RSA key generation (2048 bits, Node's native crypto) is timed apart, in process, since it varies run to run.
 * BENCH_COMPARE=<another build's dist/bin/secure-emr.js> also runs every secure-emr case with that build in the same
 * rounds and reports this build over that one, paired per round (a same-machine before/after comparison).
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE_ARGS, BIN, ROOT, isolatedEnv, tempDir } from '../test/support/helpers.js';

const ROUNDS = Number(process.env.BENCH_RUNS ?? 31);

/** The README's recipe, exactly (README.md, Performance). */
export const OPENSSL_RECIPE =
  'openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days 365 -keyout privateKey.pem -out certificateChain.pem ' +
  '-subj "/C=US/ST=Washington/L=Seattle/O=Example Corp/OU=Data Platform/CN=*.ec2.internal" ' +
  '-addext "subjectAltName=DNS:*.ec2.internal" 2>/dev/null && cp certificateChain.pem trustedCertificates.pem && ' +
  'zip -q certs.zip privateKey.pem certificateChain.pem trustedCertificates.pem';

interface Case {
  name: string;
  /** Which baseline its ratios are paired with. */
  against: 'recipe' | 'node' | null;
  goal?: number;
  /** Runs once; returns seconds. */
  once: () => number;
}

const env = isolatedEnv();

function timeOnce(cmd: string, args: string[], cwd: string): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return seconds;
}

/** bench/two-keys.ts: Node starting and making a set's two RSA keys, nothing else (the floor of a full run). */
const TWO_KEYS = fileURLToPath(new URL('two-keys.js', import.meta.url));
const bin = (args: string[], cwd: string, script = BIN) => timeOnce(process.execPath, [script, ...args], cwd);
const project = tempDir();
bin(BASE_ARGS, project);
const COMPARE = process.env.BENCH_COMPARE;
const otherProject = tempDir();
if (COMPARE) bin(BASE_ARGS, otherProject, COMPARE);

const CASES: Case[] = [
  {
    name: 'recipe: openssl req + cp + zip',
    against: null,
    once: () => timeOnce('bash', ['-c', OPENSSL_RECIPE], tempDir()),
  },
  { name: 'node -e 0', against: null, once: () => timeOnce(process.execPath, ['-e', '0'], tempDir()) },
  {
    name: 'floor: Node making the two RSA keys of a set',
    against: 'recipe',
    once: () => timeOnce(process.execPath, [TWO_KEYS], tempDir()),
  },
  { name: 'secure-emr full run, defaults', against: 'recipe', goal: 2, once: () => bin(BASE_ARGS, tempDir()) },
  { name: 'secure-emr certs --rotate', against: 'recipe', goal: 2, once: () => bin(['certs', '--rotate'], project) },
  { name: 're-run, no changes', against: 'node', goal: 4, once: () => bin([], project) },
  { name: 'subgenerator (kms)', against: 'node', goal: 4, once: () => bin(['kms'], project) },
  { name: '--dry-run', against: 'node', goal: 4, once: () => bin(['--dry-run', '--region', 'eu-west-1'], project) },
  { name: 'certs --check', against: 'node', goal: 4, once: () => bin(['certs', '--check'], project) },
  { name: '--help', against: 'node', goal: 4, once: () => bin(['--help'], project) },
];

/** With BENCH_COMPARE: each secure-emr case again, run by the other build (in its own project folder). */
const COMPARED: Case[] = COMPARE
  ? [
      { name: 'full run, defaults', once: () => bin(BASE_ARGS, tempDir(), COMPARE) },
      { name: 'certs --rotate', once: () => bin(['certs', '--rotate'], otherProject, COMPARE) },
      { name: 're-run, no changes', once: () => bin([], otherProject, COMPARE) },
      { name: 'subgenerator (kms)', once: () => bin(['kms'], otherProject, COMPARE) },
      { name: '--dry-run', once: () => bin(['--dry-run', '--region', 'eu-west-1'], otherProject, COMPARE) },
      { name: 'certs --check', once: () => bin(['certs', '--check'], otherProject, COMPARE) },
      { name: '--help', once: () => bin(['--help'], otherProject, COMPARE) },
    ].map((c) => ({ name: `other build: ${c.name}`, against: null, once: c.once }))
  : [];
CASES.push(...COMPARED);

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return (sorted[lo] ?? 0) + ((sorted[hi] ?? 0) - (sorted[lo] ?? 0)) * (at - lo);
}
const sortNum = (xs: number[]) => [...xs].sort((a, b) => a - b);

// Warm the file cache, then alternate: every round runs every case once, in a rotating order.
for (const c of CASES) c.once();
const times = new Map<string, number[]>(CASES.map((c) => [c.name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < CASES.length; i++) {
    const c = CASES[(i + round) % CASES.length];
    if (c) times.get(c.name)?.push(c.once());
  }
}

/** RSA-2048 key generation alone, in process (what the recipe and a full run both wait for). */
const keyTimes = sortNum(
  Array.from({ length: Math.max(ROUNDS, 5) }, () => {
    const start = process.hrtime.bigint();
    generateKeyPairSync('rsa', { modulusLength: 2048 });
    return Number(process.hrtime.bigint() - start) / 1e9;
  }),
);

/** Peak resident memory of a full run, through python3's getrusage(RUSAGE_CHILDREN), in MiB (median of 5). */
function peakRssMiB(): number {
  const script =
    'import resource,subprocess,sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)';
  const values = Array.from({ length: 5 }, () => {
    const r = spawnSync('python3', ['-c', script, process.execPath, BIN, ...BASE_ARGS], {
      cwd: tempDir(),
      env,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`peak RSS measurement failed: ${r.stderr}`);
    return Number(r.stdout.trim()) / 1024;
  });
  return Math.round(quantile(sortNum(values), 0.5));
}
const rss = peakRssMiB();

interface Result {
  name: string;
  median: number;
  q1: number;
  q3: number;
  runs: number[];
  against?: string;
  ratio?: { median: number; q1: number; q3: number };
  goal?: number;
  met?: boolean;
}

const baselineName = { recipe: CASES[0]?.name ?? '', node: CASES[1]?.name ?? '' };
const results: Result[] = CASES.map((c) => {
  const runs = times.get(c.name) ?? [];
  const sorted = sortNum(runs);
  const result: Result = {
    name: c.name,
    median: quantile(sorted, 0.5),
    q1: quantile(sorted, 0.25),
    q3: quantile(sorted, 0.75),
    runs,
  };
  if (c.against) {
    const base = times.get(baselineName[c.against]) ?? [];
    const ratios = sortNum(runs.map((t, i) => t / (base[i] ?? Number.NaN)));
    result.against = c.against === 'recipe' ? 'the recipe' : 'node -e 0';
    result.ratio = { median: quantile(ratios, 0.5), q1: quantile(ratios, 0.25), q3: quantile(ratios, 0.75) };
    if (c.goal !== undefined) {
      result.goal = c.goal;
      result.met = result.ratio.median <= c.goal;
    }
  }
  return result;
});

/** This build's case over the other build's, paired per round. */
const comparisons = COMPARED.map((other) => {
  const name = other.name.replace('other build: ', '');
  const mine = CASES.find((c) => c.name !== other.name && c.name.endsWith(name));
  const a = times.get(mine?.name ?? '') ?? [];
  const b = times.get(other.name) ?? [];
  const ratios = sortNum(a.map((t, i) => t / (b[i] ?? Number.NaN)));
  return {
    name: mine?.name ?? name,
    ratio: { median: quantile(ratios, 0.5), q1: quantile(ratios, 0.25), q3: quantile(ratios, 0.75) },
  };
});

const s = (x: number): string => `${x.toFixed(3)} s`;
console.log(
  `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}; ${ROUNDS} alternated rounds`,
);
console.log('| run | median (q1-q3) | paired ratio, median (q1-q3) | goal |');
console.log('| --- | --- | --- | --- |');
for (const r of results.filter((x) => !x.name.startsWith('other build: '))) {
  const ratio = r.ratio
    ? `${r.ratio.median.toFixed(2)}x ${r.against} (${r.ratio.q1.toFixed(2)}-${r.ratio.q3.toFixed(2)})`
    : 'baseline';
  const goal = r.goal === undefined ? '' : `<= ${r.goal}x: ${r.met ? 'met' : 'not met'}`;
  console.log(`| ${r.name} | ${s(r.median)} (${s(r.q1)}-${s(r.q3)}) | ${ratio} | ${goal} |`);
}
console.log(
  `RSA-2048 key generation alone: median ${s(quantile(keyTimes, 0.5))} (${s(quantile(keyTimes, 0.25))}-${s(quantile(keyTimes, 0.75))})`,
);
console.log(`Peak RSS of the full run: ${rss} MiB (goal <= 70 MiB: ${rss <= 70 ? 'met' : 'not met'})`);
if (COMPARE) {
  console.log(`\nThis build over ${COMPARE}, paired per round:`);
  console.log('| run | this build / other build, median (q1-q3) |');
  console.log('| --- | --- |');
  for (const c of comparisons)
    console.log(`| ${c.name} | ${c.ratio.median.toFixed(2)}x (${c.ratio.q1.toFixed(2)}-${c.ratio.q3.toFixed(2)}) |`);
}

const out = process.env.BENCH_OUT ?? join(ROOT, 'bench', 'results.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ date: new Date().toISOString(), node: process.versions.node, cores: cpus().length, rounds: ROUNDS, recipe: OPENSSL_RECIPE, results, rsaKeySeconds: keyTimes, peakRssMiB: rss, ...(COMPARE ? { compare: COMPARE, comparisons } : {}) }, null, 2)}\n`,
);
