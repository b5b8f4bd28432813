/**
 * The moto tests run the emitted scripts with `aws` from test/support/aws_cli_server.py: the real AWS CLI,
 * imported once and forked per call. This file shows it behaves as the plain `aws` on PATH does, for output,
 * errors and exit codes, stdin, the working directory and the umask, so the speed-up changes no result.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run, startMoto, tempDir } from './support/helpers.js';
import type { Moto } from './support/helpers.js';

describe('the pre-loaded AWS CLI used by the moto tests', () => {
  let moto: Moto;
  before(async () => {
    moto = await startMoto();
  });
  after(() => moto?.stop());

  /** The same shell command with the fork-server `aws` first on PATH, and with the plain `aws` on PATH. */
  const both = (command: string) => {
    const cwd = { forked: tempDir('aws-cli-cwd-'), plain: tempDir('aws-cli-cwd-') };
    const forked = run('bash', ['-c', command], { cwd: cwd.forked, env: moto.env() });
    const plain = run('bash', ['-c', command], { cwd: cwd.plain, env: moto.env({ PATH: process.env.PATH ?? '' }) });
    return { forked, plain, cwd };
  };

  it('is in use: moto.env() puts it first on PATH', () => {
    assert.ok(moto.awsCliBin, 'the fork server started (python3 imports awscli on this machine)');
    const which = run('bash', ['-c', 'command -v aws'], { env: moto.env() });
    assert.equal(which.stdout.trim(), join(moto.awsCliBin, 'aws'));
  });

  it('gives the same version, output, errors and exit codes as the plain CLI', () => {
    for (const command of [
      'aws --version',
      'aws sts get-caller-identity --output text',
      'aws s3api create-bucket --bucket fork-server-check >/dev/null && aws s3api list-buckets --query "Buckets[].Name"',
      'aws s3api head-object --bucket fork-server-check --key missing',
      'aws ec2 describe-vpcs --no-such-option',
      'aws no-such-service list',
    ]) {
      const { forked, plain } = both(command);
      assert.equal(forked.status, plain.status, `${command}: exit status`);
      assert.equal(forked.stdout, plain.stdout, `${command}: stdout`);
      assert.equal(forked.stderr, plain.stderr, `${command}: stderr`);
    }
  });

  it('reads stdin, writes relative to the working directory and creates files under the caller umask', () => {
    const { forked, plain, cwd } = both(
      'umask 077; printf secret | aws s3 cp - s3://fork-server-check/k >/dev/null && ' +
        'aws s3 cp s3://fork-server-check/k out >/dev/null',
    );
    for (const [name, result] of Object.entries({ forked, plain })) {
      assert.equal(result.status, 0, `${name}: ${result.stderr}`);
      const out = join(cwd[name as keyof typeof cwd], 'out');
      assert.equal(readFileSync(out, 'utf8'), 'secret', `${name}: stdin went to S3 and back`);
      assert.equal(statSync(out).mode & 0o777, 0o600, `${name}: the file follows the caller's umask 077`);
    }
  });
});
