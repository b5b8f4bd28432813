/**
 * `npm run bench`: times whole processes (several runs, median and spread) and prints each as a ratio to the
 * baseline, the article's own OpenSSL recipe. Writes bench/results.json (or BENCH_OUT). BENCH_RUNS sets the
 * number of runs (default 7). Run after `npm run build`.
 *
 *   baseline          openssl req -x509 -newkey rsa:2048 ... && zip (what the article does by hand)
 *   secure-emr        a full non-interactive run of the bin with defaults into a new folder
 *   yo --version      yo's own start-up
 *   yo secure-emr     the same full run through yo
 *   :certs --rotate   one subgenerator run in a generated project
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { BASE_ARGS, BIN, ROOT, YO, isolatedEnv, tempDir, yoSandbox } from '../test/support/helpers.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);

interface Measure {
  name: string;
  runs: number[];
  median: number;
  min: number;
  max: number;
  ratio?: number;
  goal?: string;
}

function timeOnce(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return seconds;
}

function measure(name: string, once: () => number): Measure {
  once(); // warm the file cache
  const runs = Array.from({ length: RUNS }, once).sort((a, b) => a - b);
  return {
    name,
    runs,
    median: runs[Math.floor(runs.length / 2)] ?? 0,
    min: runs[0] ?? 0,
    max: runs[runs.length - 1] ?? 0,
  };
}

/** Peak resident memory of a child, through python3's getrusage(RUSAGE_CHILDREN), in MiB. */
function peakRssMiB(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): number {
  const script =
    'import resource,subprocess,sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)';
  const r = spawnSync('python3', ['-c', script, cmd, ...args], { cwd, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`peak RSS measurement failed: ${r.stderr}`);
  return Math.round(Number(r.stdout.trim()) / 1024);
}

const env = isolatedEnv();
const opensslRecipe = [
  '-c',
  'openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days 365 -keyout privateKey.pem -out certificateChain.pem ' +
    '-subj "/C=US/ST=Washington/L=Seattle/O=Example Corp/OU=Data Platform/CN=*.ec2.internal" ' +
    '-addext "subjectAltName=DNS:*.ec2.internal" 2>/dev/null && cp certificateChain.pem trustedCertificates.pem && ' +
    'zip -q certs.zip privateKey.pem certificateChain.pem trustedCertificates.pem',
];

const baseline = measure('baseline: openssl req + zip', () => timeOnce('bash', opensslRecipe, tempDir(), env));
const full = measure('secure-emr (full run, defaults)', () =>
  timeOnce(process.execPath, [BIN, ...BASE_ARGS], tempDir(), env),
);
const yoVersion = measure('yo --version', () => {
  const sandbox = yoSandbox();
  return timeOnce(YO, ['--version'], sandbox.target, sandbox.env);
});
const yoFull = measure('yo secure-emr (full run, defaults)', () => {
  const sandbox = yoSandbox();
  return timeOnce(YO, ['secure-emr', ...BASE_ARGS, '--no-insight'], sandbox.target, sandbox.env);
});
const project = tempDir();
timeOnce(process.execPath, [BIN, ...BASE_ARGS], project, env);
const rotate = measure('secure-emr certs --rotate', () =>
  timeOnce(process.execPath, [BIN, 'certs', '--rotate'], project, env),
);

full.ratio = full.median / baseline.median;
full.goal = '<= 4x baseline';
rotate.ratio = rotate.median / baseline.median;
rotate.goal = '<= 3x baseline';
yoFull.ratio = yoFull.median / yoVersion.median;
yoFull.goal = '<= 1.5x yo --version';
const rss = peakRssMiB(process.execPath, [BIN, ...BASE_ARGS], tempDir(), env);

const rows = [baseline, full, rotate, yoVersion, yoFull];
const fmt = (s: number): string => `${s.toFixed(3)} s`;
console.log(
  `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}; ${RUNS} runs each`,
);
console.log('| run | median | min | max | ratio | goal |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const m of rows) {
  const ratio = m.ratio === undefined ? '' : `${m.ratio.toFixed(2)}x${m === yoFull ? ' yo --version' : ' baseline'}`;
  console.log(`| ${m.name} | ${fmt(m.median)} | ${fmt(m.min)} | ${fmt(m.max)} | ${ratio} | ${m.goal ?? ''} |`);
}
console.log(`Peak RSS of the full run: ${rss} MiB`);

const out = process.env.BENCH_OUT ?? join(ROOT, 'bench', 'results.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ date: new Date().toISOString(), node: process.versions.node, cores: cpus().length, runs: RUNS, results: rows, peakRssMiB: rss }, null, 2)}\n`,
);
