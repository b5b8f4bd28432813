/**
 * Issue 14: the real prompts on a real pseudo-terminal (tmux, on a socket of its own). A bad region, a public
 * subnet outside the VPC and an open SSH range are each refused at their own prompt and asked again; the run
 * then completes with the answers given. Ctrl-C exits 130 with one line and writes nothing.
 */
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BIN, isolatedEnv, readJson, run, tempDir } from './support/helpers.js';

const SOCKET = `secure-emr-test-${process.pid}`;
const tmux = (...args: string[]) => run('tmux', ['-L', SOCKET, ...args]);

/** Starts `secure-emr args` in a new tmux session in `dir`; the pane shows EXIT=<code> when it ends. */
function start(session: string, dir: string, args: string[]): void {
  const env = isolatedEnv({ TERM: 'xterm-256color' });
  const script = join(tempDir('tty-'), 'run.sh');
  const exports = Object.entries(env)
    .filter(([k]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
    .map(([k, v]) => `export ${k}='${(v ?? '').replace(/'/g, `'\\''`)}'`);
  writeFileSync(
    script,
    [
      // The tmux server may carry the caller's AWS settings: nothing here may reach AWS.
      'for v in $(compgen -e | grep "^AWS_"); do unset "$v"; done',
      ...exports,
      `cd ${JSON.stringify(dir)}`,
      `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} ${args.join(' ')}`,
      'echo "EXIT=$?"',
      'sleep 600',
    ].join('\n'),
  );
  const r = tmux('new-session', '-d', '-s', session, '-x', '220', '-y', '80', `bash ${script}`);
  assert.equal(r.status, 0, r.stderr);
}

function screen(session: string): string {
  return tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', session).stdout.trimEnd();
}

/** Waits until the screen matches (polling), or fails with the screen. */
async function waitFor(session: string, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const text = screen(session);
    if (pattern.test(text)) return text;
    if (Date.now() > end) assert.fail(`timed out waiting for ${pattern}; the screen:\n${text}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

function keys(session: string, ...k: string[]): void {
  assert.equal(tmux('send-keys', '-t', session, ...k).status, 0);
}

/** Waits for a question, answers it (clearing what the prompt holds first). */
async function answer(session: string, question: RegExp, text: string): Promise<void> {
  await waitFor(session, question);
  keys(session, 'C-u');
  if (text !== '') keys(session, '-l', text);
  keys(session, 'Enter');
}

after(() => {
  tmux('kill-server');
});

describe('the prompts on a terminal (tmux)', () => {
  it('refuses a bad region, a subnet outside the VPC and an open SSH range at their prompts, then completes', async () => {
    const dir = tempDir();
    start('run', dir, ['--offline']);
    const q = (text: string) => new RegExp(`\\? ${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^\\n]*$`, 'm');
    await answer('run', q('Project name'), 'tty-emr');
    await answer('run', q('AWS region'), 'moon-1');
    await waitFor('run', /"moon-1" is not valid: expected an AWS region code/);
    assert.match(screen('run'), /\? AWS region[^\n]*$/m, 'asked again');
    await answer('run', q('AWS region'), 'eu-west-1');
    await answer('run', q('AWS account id'), '123456789012');
    // network, access and egress (selects) take their defaults: a new VPC, a bastion, a NAT gateway.
    for (const question of [
      'S3 bucket',
      'KMS alias of the S3',
      'KMS alias of the local-disk',
      'Network',
      'Access to the cluster',
      'Egress of the private subnet',
      'VPC CIDR',
    ])
      await answer('run', q(question), '');
    await answer('run', q('Public subnet CIDR'), '10.9.0.0/24');
    await waitFor('run', /"10\.9\.0\.0\/24" is not inside vpcCidr 10\.0\.0\.0\/16/);
    await answer('run', q('Public subnet CIDR'), '10.0.1.0/24');
    await answer('run', q('Private subnet CIDR'), '');
    await answer('run', q('CIDR allowed to SSH'), '0.0.0.0/0');
    await waitFor('run', /\? Really allow SSH to the bastion from anywhere/);
    keys('run', 'n');
    keys('run', 'Enter');
    await waitFor('run', /✖ sshCidr: "0\.0\.0\.0\/0" opens SSH to a wide range/);
    await answer('run', /✖ sshCidr[^]*\? CIDR allowed to SSH[^\n]*$/m, '203.0.113.0/24');
    // Every other answer takes its default.
    const rest = [
      'EC2 key pair name',
      'Bastion instance type',
      'EMR release label',
      'Cluster instance type',
      'Number of core nodes',
      'Terminate the cluster after',
      'EMRFS S3 encryption mode',
      'IAM roles',
      'TLS certificates',
      'Certificate country',
      'Certificate state',
      'Certificate locality',
      'Certificate organization \\(O\\)',
      'Certificate organizational unit',
      'Certificate validity',
      'RSA key size',
    ];
    for (const question of rest) {
      await waitFor('run', new RegExp(`\\? ${question}[^\\n]*$`, 'm'));
      keys('run', 'Enter');
    }
    const final = await waitFor('run', /EXIT=\d+/, 60_000);
    assert.match(final, /EXIT=0/, final);
    assert.match(final, /secure-emr: \d+ added/);
    assert.match(final, /Next steps:/);
    assert.doesNotMatch(final, /deprecated/i);
    const stored = readJson<Record<string, Record<string, unknown>>>(join(dir, '.yo-rc.json'))['generator-secure-emr'];
    assert.equal(stored?.projectName, 'tty-emr');
    assert.equal(stored?.region, 'eu-west-1');
    assert.equal(stored?.publicSubnetCidr, '10.0.1.0/24');
    assert.equal(stored?.sshCidr, '203.0.113.0/24');
    assert.equal(stored?.allowSshFromAnywhere, undefined);
  });

  it('--defaults on a terminal asks only what has no default', async () => {
    const dir = tempDir();
    start('defaults', dir, ['--offline', '--defaults']);
    await answer('defaults', /\? AWS account id[^\n]*$/m, '123456789012');
    await answer('defaults', /\? CIDR allowed to SSH[^\n]*$/m, '203.0.113.0/24');
    const final = await waitFor('defaults', /EXIT=\d+/, 60_000);
    assert.match(final, /EXIT=0/, final);
    assert.equal((final.match(/^[?✔] /gm) ?? []).length, 2, final);
  });

  it('Ctrl-C: exit 130, one line saying nothing was written, nothing written', async () => {
    const dir = tempDir();
    start('interrupt', dir, ['--offline']);
    await answer('interrupt', /\? Project name[^\n]*$/m, '');
    await waitFor('interrupt', /\? AWS region[^\n]*$/m);
    keys('interrupt', 'C-c');
    const final = await waitFor('interrupt', /EXIT=\d+/);
    assert.match(final, /EXIT=130/);
    assert.match(final, /Interrupted: nothing was written\./);
    assert.doesNotMatch(final, /Error|✖ An error/);
    assert.deepEqual(readdirSync(dir), []);
  });
});
