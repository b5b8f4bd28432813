/**
 * Issue 13, without moto: the emitted scripts' waits give up after their timeout with progress lines (an `aws`
 * stub on PATH answers as a cluster that never becomes ready), teardown refuses --delete-keys without
 * --delete-data, ssh-commands.txt passes the key to the bastion hop and forwards the TLS port of the Spark history
 * server, emr/configurations.json keeps EMRFS, and the PEM files have LF line endings.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { WEB_UIS } from '../generators/lib/model.js';
import { generateProject, isolatedEnv, run, secureEmr, tempDir } from './support/helpers.js';

/**
 * A stub `aws` that logs its arguments, answers describe-cluster with $STUB_STATE and describe-stacks as a stack with
 * the three EMR security groups.
 */
function stubAws(): string {
  const bin = tempDir('aws-stub-');
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, 'aws'),
    [
      '#!/usr/bin/env bash',
      'printf "%s\\n" "$*" >>"$STUB_LOG"',
      'case "$*" in',
      '  *"describe-cluster"*"StateChangeReason"*) printf "VALIDATION_ERROR\\tThe key pair is invalid\\n" ;;',
      '  *"describe-cluster"*"Status.State"*) echo "$STUB_STATE" ;;',
      '  *"get-caller-identity"*) echo 123456789012 ;;',
      '  *"describe-network-interfaces"*) printf "eni-1\\teni-2\\n" ;;',
      '  *"cloudformation describe-stacks"*) printf "@status\\tCREATE_COMPLETE\\nPrimarySecurityGroupId\\tsg-1\\nCoreSecurityGroupId\\tsg-2\\nServiceAccessSecurityGroupId\\tsg-3\\n" ;;',
      '  *"get-bucket-encryption"*) echo arn:aws:kms:us-east-1:123456789012:key/old ;;',
      '  *"kms describe-key"*) echo "$STUB_STATE" ;;',
      '  *) echo None ;;',
      'esac',
      '',
    ].join('\n'),
  );
  chmodSync(join(bin, 'aws'), 0o755);
  return bin;
}

describe('emitted scripts: waits, guards, access commands (no AWS)', () => {
  let dir: string;
  let bin: string;
  before(() => {
    dir = generateProject();
    bin = stubAws();
  });
  const lib = (code: string, state: string) => {
    const logFile = join(tempDir(), 'aws.log');
    const r = run('bash', ['-c', `set -euo pipefail; . scripts/lib.sh; ${code}`], {
      cwd: dir,
      env: isolatedEnv({ PATH: `${bin}:${process.env.PATH ?? ''}`, STUB_STATE: state, STUB_LOG: logFile }),
    });
    return { ...r, calls: readFileSync(logFile, 'utf8') };
  };

  it('wait_for_cluster gives up after its timeout, with a progress line and the command to follow the cluster', () => {
    const r = lib('wait_for_cluster j-TEST 2 || echo "gave up $?"', 'STARTING');
    assert.match(r.stdout, /gave up 1/);
    assert.match(r.stderr, /cluster j-TEST: STARTING/);
    assert.match(r.stderr, /still STARTING after 2s; follow it with: aws emr describe-cluster --cluster-id j-TEST/);
  });

  it('wait_for_cluster succeeds on WAITING and fails at once on TERMINATED_WITH_ERRORS, giving EMR reason', () => {
    assert.equal(lib('wait_for_cluster j-TEST 60', 'WAITING').status, 0);
    const failed = lib('wait_for_cluster j-TEST 60 || echo "failed $?"', 'TERMINATED_WITH_ERRORS');
    assert.match(failed.stdout, /failed 1/);
    assert.match(failed.stderr, /VALIDATION_ERROR\s+The key pair is invalid/);
  });

  it('deploy.sh refuses a certificate that does not cover the region, before creating anything', () => {
    const project = generateProject();
    const moved = secureEmr(project, ['--region', 'eu-west-1']);
    assert.equal(moved.status, 0, moved.stderr);
    const logFile = join(tempDir(), 'aws.log');
    const r = run('bash', [join(project, 'scripts/deploy.sh')], {
      cwd: project,
      env: isolatedEnv({ PATH: `${bin}:${process.env.PATH ?? ''}`, STUB_STATE: 'WAITING', STUB_LOG: logFile }),
    });
    assert.notEqual(r.status, 0);
    assert.match(
      r.stderr,
      /certs\/certificateChain\.pem does not cover ip-10-0-2-15\.eu-west-1\.compute\.internal, a node name in eu-west-1; run 'secure-emr certs --rotate'/,
    );
    assert.doesNotMatch(readFileSync(logFile, 'utf8'), /create-|put-|cloudformation/, 'nothing created');
  });

  it('only STARTING, BOOTSTRAPPING, RUNNING and WAITING clusters count as up (not TERMINATING)', () => {
    const r = lib('active_cluster_id', 'WAITING');
    assert.match(r.calls, /emr list-clusters --cluster-states STARTING BOOTSTRAPPING RUNNING WAITING /);
    assert.doesNotMatch(r.calls, /--active/);
  });

  it('deploy.sh refuses to start when the bucket is encrypted under a key pending deletion, saying how to recover', () => {
    const logFile = join(tempDir(), 'aws.log');
    const r = run('bash', [join(dir, 'scripts', 'deploy.sh')], {
      cwd: dir,
      env: isolatedEnv({ PATH: `${bin}:${process.env.PATH ?? ''}`, STUB_STATE: 'PendingDeletion', STUB_LOG: logFile }),
    });
    assert.notEqual(r.status, 0);
    assert.match(
      r.stderr,
      /is encrypted under KMS key arn:aws:kms:us-east-1:123456789012:key\/old, which is PendingDeletion/,
    );
    assert.match(r.stderr, /aws kms cancel-key-deletion --region us-east-1 --key-id arn:aws:kms:\S+:key\/old/);
    assert.match(r.stderr, /scripts\/teardown\.sh --delete-data/);
    assert.match(r.stderr, /preflight found 1 problem\(s\) above; nothing was created/);
    assert.doesNotMatch(readFileSync(logFile, 'utf8'), /create-|put-|update-/, 'only read calls were made');
  });

  it("teardown.sh waits for EMR's network interfaces with progress lines and gives up after --wait-timeout", () => {
    const logFile = join(tempDir(), 'aws.log');
    const r = run('bash', [join(dir, 'scripts', 'teardown.sh'), '--wait-timeout', '2'], {
      cwd: dir,
      env: isolatedEnv({ PATH: `${bin}:${process.env.PATH ?? ''}`, STUB_STATE: 'WAITING', STUB_LOG: logFile }),
    });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /2 network interface\(s\) still in the EMR security groups: eni-1\s+eni-2/);
    assert.match(r.stderr, /network interfaces eni-1\s+eni-2 are still in use after 2s/);
    assert.match(
      readFileSync(logFile, 'utf8'),
      /ec2 describe-network-interfaces --filters Name=group-id,Values=sg-1,sg-2,sg-3/,
    );
    assert.doesNotMatch(
      readFileSync(logFile, 'utf8'),
      /delete-stack/,
      'the network stack is not deleted while they remain',
    );
  });

  it('teardown.sh refuses --delete-keys without --delete-data unless --force', () => {
    const r = run('bash', [join(dir, 'scripts', 'teardown.sh'), '--delete-keys'], { cwd: dir, env: isolatedEnv() });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /--delete-keys without --delete-data would leave .* pending deletion.*--force/);
  });

  it('deploy.sh and teardown.sh reject a non-numeric --wait-timeout', () => {
    for (const name of ['deploy.sh', 'teardown.sh']) {
      const r = run('bash', [join(dir, 'scripts', name), '--wait-timeout', 'soon'], { cwd: dir, env: isolatedEnv() });
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /--wait-timeout needs a number of seconds/);
    }
  });

  it('ssh-commands.txt passes the key to the jump host and forwards the Spark history server on 18480 (TLS)', () => {
    const text = readFileSync(join(dir, 'ssh-commands.txt'), 'utf8');
    assert.doesNotMatch(text, /^ +ssh [^\n]*-J /m, 'no -J: it would not pass -i to the jump connection');
    assert.match(
      text,
      /ProxyCommand="ssh -i '\$KEY' -o IdentitiesOnly=yes -W %h:%p ec2-user@\$BASTION" hadoop@\$PRIMARY/,
    );
    assert.match(text, /-L 18480:\$PRIMARY:18480/);
    assert.match(text, /https:\/\/localhost:18480 +Spark history server/);
    assert.doesNotMatch(text, /18080:/);
    assert.match(text, /IdentityFile ~\/\.ssh\/secure-emr\.pem[\s\S]*IdentityFile ~\/\.ssh\/secure-emr\.pem/);
    assert.deepEqual(
      WEB_UIS.map((ui) => [ui.port, ui.scheme]),
      [
        [8088, 'http'],
        [18480, 'https'],
        [10002, 'http'],
        [20888, 'http'],
      ],
    );
  });

  it('emr/configurations.json keeps EMRFS for s3:// and sets S3A encryption to the same mode and key', () => {
    const doc = JSON.parse(readFileSync(join(dir, 'emr', 'configurations.json'), 'utf8')) as Array<{
      Classification: string;
      Properties: Record<string, string>;
    }>;
    assert.deepEqual(doc, [
      {
        Classification: 'core-site',
        Properties: {
          'fs.s3.impl': 'com.amazon.ws.emr.hadoop.fs.EmrFileSystem',
          'fs.s3a.encryption.algorithm': 'CSE-KMS',
          'fs.s3a.encryption.key': '__S3_KMS_KEY_ARN__',
        },
      },
    ]);
    assert.match(
      readFileSync(join(dir, 'scripts', 'deploy.sh'), 'utf8'),
      /--configurations "file:\/\/\$configurations"/,
    );
    const sse = generateProject(['--s3-encryption-mode', 'SSE-S3']);
    const sseDoc = JSON.parse(readFileSync(join(sse, 'emr', 'configurations.json'), 'utf8')) as typeof doc;
    assert.deepEqual(sseDoc[0]?.Properties, {
      'fs.s3.impl': 'com.amazon.ws.emr.hadoop.fs.EmrFileSystem',
      'fs.s3a.encryption.algorithm': 'SSE-S3',
    });
  });

  it('PEM files end their lines with LF only', () => {
    for (const name of ['privateKey.pem', 'certificateChain.pem', 'trustedCertificates.pem']) {
      const pem = readFileSync(join(dir, 'certs', name), 'utf8');
      assert.doesNotMatch(pem, /\r/, name);
      assert.ok(pem.endsWith('-----\n'), name);
    }
  });
});
