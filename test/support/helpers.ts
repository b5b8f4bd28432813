/** Shared by the tests: temp folders, running the built CLI and real tools, moto_server over TLS. */
import { spawn, spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = join(ROOT, 'dist', 'bin', 'secure-emr.js');

/**
 * A new empty folder. Its name starts with a capital letter, so it is never a valid project name: the
 * projectName default (the folder's name when valid) stays `secure-emr` and runs stay reproducible.
 */
export function tempDir(prefix = 'secure-emr-'): string {
  return mkdtempSync(join(tmpdir(), `T${prefix}`));
}

/** An environment with no AWS credentials and no endpoint, so nothing can reach AWS. */
export function isolatedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
  return { ...env, HOME: tempDir('home-'), AWS_EC2_METADATA_DISABLED: 'true', NO_UPDATE_NOTIFIER: '1', ...extra };
}

export function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    encoding: 'utf8',
    input: opts.input,
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** Runs `secure-emr` from the build, stdin closed (as in CI). */
export function secureEmr(
  cwd: string,
  args: string[],
  env: NodeJS.ProcessEnv = isolatedEnv(),
): SpawnSyncReturns<string> {
  return run(process.execPath, [BIN, ...args], { cwd, env });
}

export const BASE_ARGS = ['--defaults', '--offline', '--account-id', '123456789012', '--ssh-cidr', '203.0.113.0/24'];

/** Generates a project with the defaults plus `extra` flags; throws with the output on failure. */
export function generateProject(extra: string[] = [], dir = tempDir()): string {
  const r = secureEmr(dir, [...BASE_ARGS, ...extra]);
  if (r.status !== 0) throw new Error(`secure-emr failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return dir;
}

/**
 * cfn-lint over the templates of several projects in one run (its start-up is most of its cost, about 3.5 s of CPU
 * a run): each folder's findings, one a line in cfn-lint's parseable format (empty: none). Throws when cfn-lint
 * fails without naming a finding.
 */
export function cfnLintFindings(dirs: string[]): Map<string, string[]> {
  const files = dirs.flatMap((dir) =>
    ['cfn/iam.json', 'cfn/kms.json', 'cfn/environment.json'].map((f) => join(dir, f)).filter((f) => existsSync(f)),
  );
  const r = run('cfn-lint', ['--format', 'parseable', ...files]);
  const lines = r.stdout.split('\n').filter(Boolean);
  if (r.status !== 0 && lines.length === 0) throw new Error(`cfn-lint failed (${r.status}): ${r.stderr}`);
  return new Map(dirs.map((dir) => [dir, lines.filter((l) => l.startsWith(`${dir}/`))]));
}

export function readJson<T = Record<string, unknown>>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Every file below dir (relative path -> sha256), for "what changed" assertions. */
export function treeHashes(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

export function changedFiles(before: Map<string, string>, after: Map<string, string>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => before.get(k) !== after.get(k)).sort();
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Moto {
  endpoint: string;
  caBundle: string;
  /** moto's environment: endpoint, CA bundle, test credentials, and PATH starting with the fast `aws`. */
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
  stop(): void;
  /** The folder of the fork-server `aws` (undefined when it could not start and the plain CLI is used). */
  awsCliBin: string | undefined;
}

/**
 * The real AWS CLI, loaded once (test/support/aws_cli_server.py): a folder holding an `aws` entry point that
 * hands each call to a forked, pre-imported `awscli.clidriver.main()`. Same CLI code and arguments; it saves
 * the ~0.7 s of Python start-up and model parsing per call that made the moto tests slow. Returns undefined
 * (and the tests use the `aws` on PATH as it is) when python3 cannot import awscli.
 */
async function startAwsCliServer(env: NodeJS.ProcessEnv): Promise<{ bin: string; stop(): void } | undefined> {
  const python = run('python3', ['-c', 'import awscli, sys; print(sys.executable)'], { env });
  if (python.status !== 0) {
    process.stderr.write(`note: python3 cannot import awscli; the tests use the aws on PATH\n${python.stderr}`);
    return undefined;
  }
  const executable = python.stdout.trim();
  const bin = tempDir('aws-cli-');
  const client = readFileSync(join(ROOT, 'test', 'support', 'aws_cli_client.py'), 'utf8');
  writeFileSync(join(bin, 'aws'), `#!${executable} -S\n${client}`, { mode: 0o755 });
  const child = spawn(executable, [join(ROOT, 'test', 'support', 'aws_cli_server.py'), join(bin, 'aws-cli.sock')], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = await new Promise<boolean>((resolve) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().startsWith('ready')));
    child.once('exit', () => resolve(false));
  });
  if (!ready) throw new Error('the AWS CLI fork server (test/support/aws_cli_server.py) did not start');
  return { bin, stop: () => child.kill() };
}

/** Starts test/support/moto_server_tls.py on 127.0.0.1 with a certificate made here. */
export async function startMoto(): Promise<Moto> {
  const dir = tempDir('moto-');
  const cert = join(dir, 'moto.crt');
  const key = join(dir, 'moto.key');
  const made = run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-keyout',
    key,
    '-out',
    cert,
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  ]);
  if (made.status !== 0) throw new Error(made.stderr);
  const port = await freePort();
  const child = spawn(
    'python3',
    [join(ROOT, 'test', 'support', 'moto_server_tls.py'), '-H', '127.0.0.1', '-p', String(port), '-c', cert, '-k', key],
    { stdio: 'ignore' },
  );
  const endpoint = `https://127.0.0.1:${port}`;
  const baseEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv =>
    isolatedEnv({
      AWS_ENDPOINT_URL: endpoint,
      AWS_CA_BUNDLE: cert,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_DEFAULT_REGION: 'us-east-1',
      ...extra,
    });
  const cli = await startAwsCliServer(baseEnv());
  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv =>
    cli ? baseEnv({ PATH: `${cli.bin}:${process.env.PATH ?? ''}`, ...extra }) : baseEnv(extra);
  const stop = (): void => {
    child.kill();
    cli?.stop();
  };
  for (let i = 0; i < 100; i++) {
    const r = run('aws', ['sts', 'get-caller-identity', '--output', 'text'], { env: env() });
    if (r.status === 0) return { endpoint, caBundle: cert, env, stop, awsCliBin: cli?.bin };
    await new Promise((res) => setTimeout(res, 200));
  }
  stop();
  throw new Error('moto_server did not start');
}

export function aws(moto: Moto, args: string[], region = 'us-east-1'): string {
  const r = run('aws', ['--region', region, ...args], { env: moto.env() });
  if (r.status !== 0) throw new Error(`aws ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim();
}

/** A security configuration's document as EMR stores it (`describe-security-configuration`), parsed. */
export function securityConfiguration<T>(moto: Moto, name: string): T {
  return JSON.parse(
    aws(moto, [
      'emr',
      'describe-security-configuration',
      '--name',
      name,
      '--query',
      'SecurityConfiguration',
      '--output',
      'text',
    ]),
  ) as T;
}

/**
 * moto leaves an EMR cluster's instances running after the cluster terminates (real EMR does not), which holds the
 * network stack back: terminates them, as EMR would.
 */
export function terminateClusterInstances(moto: Moto, clusterId: string): void {
  const ids = aws(moto, [
    'emr',
    'list-instances',
    '--cluster-id',
    clusterId,
    '--query',
    'Instances[].Ec2InstanceId',
    '--output',
    'text',
  ])
    .split(/\s+/)
    .filter(Boolean);
  if (ids.length) aws(moto, ['ec2', 'terminate-instances', '--instance-ids', ...ids]);
}

export const YO = join(ROOT, 'node_modules', '.bin', 'yo');

/**
 * A HOME in which the real `yo` finds this package, and an empty target folder. yo refuses root: it drops to
 * uid 1000, so when running as root both belong to uid 1000.
 */
export function yoSandbox(): { home: string; target: string; env: NodeJS.ProcessEnv } {
  const home = tempDir('yo-home-');
  mkdirSync(join(home, 'node_modules'));
  symlinkSync(ROOT, join(home, 'node_modules', 'generator-secure-emr'));
  const target = join(home, 'project');
  mkdirSync(target);
  for (const p of [home, target]) {
    chmodSync(p, 0o755);
    if (process.getuid?.() === 0) chownSync(p, 1000, 1000);
  }
  return { home, target, env: isolatedEnv({ HOME: home, NO_UPDATE_NOTIFIER: '1' }) };
}
