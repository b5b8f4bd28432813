/**
 * Issue 5: the emitted scripts run for real with the AWS CLI against moto_server (TLS, 127.0.0.1), reached
 * through AWS_ENDPOINT_URL. Where moto lacks a behaviour the test says so and checks what moto does support.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { aws, generateProject, run, secureEmr, startMoto, tempDir } from './support/helpers.js';
import type { Moto } from './support/helpers.js';

const BUCKET = 'secure-emr-123456789012-us-east-1';

describe('emitted repository, end to end on moto_server', () => {
  let moto: Moto;
  let dir: string;
  const script = (name: string, args: string[] = [], env = moto.env()) =>
    run('bash', [join(dir, 'scripts', name), ...args], { cwd: dir, env });
  const q = (args: string[]): string => aws(moto, args);

  before(async () => {
    moto = await startMoto();
    dir = generateProject(['--s3-encryption-mode', 'SSE-KMS']);
    q(['ec2', 'create-key-pair', '--key-name', 'secure-emr']);
  });
  after(() => moto?.stop());

  it('shellcheck passes on every emitted script; the PySpark job compiles', () => {
    const scripts = readdirSync(join(dir, 'scripts'))
      .filter((f) => f.endsWith('.sh'))
      .map((f) => join(dir, 'scripts', f));
    assert.ok(scripts.length >= 5);
    const r = run('shellcheck', ['-x', ...scripts], { cwd: dir });
    assert.equal(r.status, 0, r.stdout);
    assert.equal(run('python3', ['-m', 'py_compile', join(dir, 'jobs', 'test.py')]).status, 0);
  });

  it('deploy.sh without the AWS CLI on PATH fails with a clear message', () => {
    const r = script('deploy.sh', [], moto.env({ PATH: '/usr/bin:/bin' }));
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /the AWS CLI \(aws\) is not installed/);
  });

  it('deploy.sh creates everything; run-jobs.sh, verify-encryption.sh and teardown.sh work', () => {
    const deploy = script('deploy.sh');
    assert.equal(deploy.status, 0, deploy.stderr);
    for (const stack of ['secure-emr-iam', 'secure-emr-kms', 'secure-emr-environment']) {
      assert.equal(
        q([
          'cloudformation',
          'describe-stacks',
          '--stack-name',
          stack,
          '--query',
          'Stacks[0].StackStatus',
          '--output',
          'text',
        ]),
        'CREATE_COMPLETE',
      );
    }
    const output = (stack: string, key: string) =>
      q([
        'cloudformation',
        'describe-stacks',
        '--stack-name',
        stack,
        '--query',
        `Stacks[0].Outputs[?OutputKey=='${key}'].OutputValue | [0]`,
        '--output',
        'text',
      ]);
    const s3Key = output('secure-emr-kms', 'S3KeyArn');
    const diskKey = output('secure-emr-kms', 'DiskKeyArn');
    // The VPC's default security group has no rules left (Security Hub EC2.2), which deploy.sh did.
    const defaultGroupRules = q([
      'ec2',
      'describe-security-groups',
      '--filters',
      `Name=vpc-id,Values=${output('secure-emr-environment', 'VpcId')}`,
      'Name=group-name,Values=default',
      '--query',
      'SecurityGroups[0].[length(IpPermissions), length(IpPermissionsEgress)]',
      '--output',
      'text',
    ]);
    assert.deepEqual(defaultGroupRules.split(/\s+/), ['0', '0']);
    assert.match(deploy.stderr, /Default security group sg-\S+ of vpc-\S+ has no rules\./);
    const clusterId = q([
      'emr',
      'list-clusters',
      '--active',
      '--query',
      "Clusters[?Name=='secure-emr-cluster'].Id | [0]",
      '--output',
      'text',
    ]);
    assert.match(clusterId, /^j-/);
    const scName = q([
      'emr',
      'describe-cluster',
      '--cluster-id',
      clusterId,
      '--query',
      'Cluster.SecurityConfiguration',
      '--output',
      'text',
    ]);
    assert.match(scName, /^secure-emr-v1-[0-9a-f]{10}$/);
    const doc = JSON.parse(
      q([
        'emr',
        'describe-security-configuration',
        '--name',
        scName,
        '--query',
        'SecurityConfiguration',
        '--output',
        'text',
      ]),
    ) as {
      EncryptionConfiguration: {
        AtRestEncryptionConfiguration: {
          S3EncryptionConfiguration: { AwsKmsKey: string };
          LocalDiskEncryptionConfiguration: { AwsKmsKey: string };
        };
        InTransitEncryptionConfiguration: { TLSCertificateConfiguration: { S3Object: string } };
      };
    };
    assert.equal(doc.EncryptionConfiguration.AtRestEncryptionConfiguration.S3EncryptionConfiguration.AwsKmsKey, s3Key);
    assert.equal(
      doc.EncryptionConfiguration.AtRestEncryptionConfiguration.LocalDiskEncryptionConfiguration.AwsKmsKey,
      diskKey,
    );
    assert.equal(
      doc.EncryptionConfiguration.InTransitEncryptionConfiguration.TLSCertificateConfiguration.S3Object,
      `s3://${BUCKET}/certs/v1/certs.zip`,
    );
    const keys = q([
      's3api',
      'list-objects-v2',
      '--bucket',
      BUCKET,
      '--query',
      'Contents[].Key',
      '--output',
      'text',
    ]).split(/\s+/);
    for (const k of ['certs/v1/certs.zip', 'jobs/test.py', 'jobs/test.q', 'data/cars.csv'])
      assert.ok(keys.includes(k), k);
    const cluster = JSON.parse(q(['emr', 'describe-cluster', '--cluster-id', clusterId, '--output', 'json'])) as {
      Cluster: {
        Ec2InstanceAttributes: { Ec2SubnetId: string; ServiceAccessSecurityGroup: string };
        Tags: Array<{ Key: string; Value: string }>;
      };
    };
    assert.equal(
      cluster.Cluster.Ec2InstanceAttributes.Ec2SubnetId,
      output('secure-emr-environment', 'PrivateSubnetId'),
    );
    assert.equal(
      cluster.Cluster.Ec2InstanceAttributes.ServiceAccessSecurityGroup,
      output('secure-emr-environment', 'ServiceAccessSecurityGroupId'),
    );
    assert.ok(
      cluster.Cluster.Tags.some((t) => t.Key === 'for-use-with-amazon-emr-managed-policies' && t.Value === 'true'),
    );
    assert.match(
      q(['s3api', 'get-bucket-policy', '--bucket', BUCKET, '--query', 'Policy', '--output', 'text']),
      /aws:SecureTransport/,
    );
    assert.equal(
      q([
        's3api',
        'get-public-access-block',
        '--bucket',
        BUCKET,
        '--query',
        'PublicAccessBlockConfiguration.BlockPublicPolicy',
        '--output',
        'text',
      ]),
      'True',
    );

    // Idempotence: a second run creates nothing new and leaves the uploads as they were.
    const snapshot = () => [
      q(['emr', 'list-clusters', '--query', 'length(Clusters)']),
      q([
        's3api',
        'list-objects-v2',
        '--bucket',
        BUCKET,
        '--query',
        'Contents[].[Key,LastModified,ETag]',
        '--output',
        'text',
      ]),
      q([
        'cloudformation',
        'describe-stack-resources',
        '--stack-name',
        'secure-emr-environment',
        '--query',
        'StackResources[].PhysicalResourceId',
        '--output',
        'text',
      ]),
      q(['kms', 'list-keys', '--query', 'length(Keys)']),
    ];
    const first = snapshot();
    const again = script('deploy.sh');
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /already up/);
    assert.deepEqual(snapshot(), first);

    // moto accepts steps but never runs them (the first stays RUNNING, the rest PENDING): submit without waiting,
    // and check that waiting gives up with a non-zero exit when the steps do not finish.
    const jobs = script('run-jobs.sh', ['--no-wait']);
    assert.equal(jobs.status, 0, jobs.stderr);
    const steps = q(['emr', 'list-steps', '--cluster-id', clusterId, '--query', 'Steps[].Name', '--output', 'text']);
    assert.match(steps, /pyspark-test-/);
    assert.match(steps, /hive-test-/);
    const waited = script('run-jobs.sh', ['--timeout', '1']);
    assert.notEqual(waited.status, 0);
    assert.match(waited.stderr, /still (PENDING|RUNNING) after 1s/);

    // moto runs no job, so no output exists: verify-encryption.sh must say so and fail...
    const early = script('verify-encryption.sh');
    assert.notEqual(early.status, 0);
    assert.match(early.stderr, /ok +cluster j-\S+ uses secure-emr-/);
    assert.match(early.stderr, /ok +s3:\/\/\S+certs\.zip equals certs\/certs\.zip/);
    assert.match(early.stderr, /FAIL +no job output/);
    // ...and with output written as EMRFS writes it under SSE-KMS (the object encrypted with the S3 key), pass;
    // an object under another key fails.
    const part = join(dir, 'data', 'cars.csv');
    q([
      's3api',
      'put-object',
      '--bucket',
      BUCKET,
      '--key',
      'output/pyspark/run1/part-00000.csv',
      '--body',
      part,
      '--server-side-encryption',
      'aws:kms',
      '--ssekms-key-id',
      s3Key,
    ]);
    const ok = script('verify-encryption.sh');
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stderr, /part-00000\.csv is encrypted with SSE-KMS/);
    q([
      's3api',
      'put-object',
      '--bucket',
      BUCKET,
      '--key',
      'output/pyspark/run1/part-00001.csv',
      '--body',
      part,
      '--server-side-encryption',
      'aws:kms',
      '--ssekms-key-id',
      diskKey,
    ]);
    assert.notEqual(script('verify-encryption.sh').status, 0);

    // Rotation with OpenSSL alone (issue 10): scripts/generate-certs.sh, then CERTIFICATE_VERSION raised by hand in
    // scripts/project.env. deploy.sh uploads the new zip to the new S3 key and creates a new security configuration
    // that names it; verify-encryption.sh agrees on both; the generator adopts the version on its next run.
    const rotated = run('bash', [join(dir, 'scripts', 'generate-certs.sh'), '--force']);
    assert.equal(rotated.status, 0, rotated.stderr);
    const envPath = join(dir, 'scripts', 'project.env');
    writeFileSync(envPath, readFileSync(envPath, 'utf8').replace(/^CERTIFICATE_VERSION=1$/m, 'CERTIFICATE_VERSION=2'));
    const redeploy = script('deploy.sh', ['--no-cluster']);
    assert.equal(redeploy.status, 0, redeploy.stderr);
    // moto has no ListSecurityConfigurations: the name comes from deploy.sh's own report.
    const v2 = /Created security configuration (secure-emr-v2-[0-9a-f]{10})\./.exec(redeploy.stderr)?.[1];
    assert.ok(v2, redeploy.stderr);
    const v2doc = JSON.parse(
      q([
        'emr',
        'describe-security-configuration',
        '--name',
        v2,
        '--query',
        'SecurityConfiguration',
        '--output',
        'text',
      ]),
    ) as typeof doc;
    assert.equal(
      v2doc.EncryptionConfiguration.InTransitEncryptionConfiguration.TLSCertificateConfiguration.S3Object,
      `s3://${BUCKET}/certs/v2/certs.zip`,
    );
    const uploaded = join(tempDir(), 'v2.zip');
    q(['s3', 'cp', `s3://${BUCKET}/certs/v2/certs.zip`, uploaded]);
    assert.deepEqual(
      readFileSync(uploaded),
      readFileSync(join(dir, 'certs', 'certs.zip')),
      'the new zip is at the new key',
    );
    const afterRotation = script('verify-encryption.sh');
    assert.match(afterRotation.stderr, new RegExp(`ok +security configuration ${v2} exists`));
    assert.match(afterRotation.stderr, /ok +s3:\/\/\S+\/certs\/v2\/certs\.zip equals certs\/certs\.zip/);
    assert.match(
      afterRotation.stderr,
      new RegExp(`FAIL +cluster j-\\S+ uses '${scName}', not ${v2}`),
      'the running cluster keeps the old set',
    );
    const regenerated = secureEmr(dir, []);
    assert.equal(regenerated.status, 0, regenerated.stderr);
    assert.match(regenerated.stdout + regenerated.stderr, /Certificate version 2 taken from scripts\/project\.env/);
    assert.match(readFileSync(join(dir, 'README.md'), 'utf8'), /certs\/v2\/certs\.zip/);
    assert.match(readFileSync(envPath, 'utf8'), /^CERTIFICATE_VERSION=2$/m);

    const vpcId = output('secure-emr-environment', 'VpcId');
    // Teardown. moto does not terminate the EC2 instances an EMR cluster launched when the cluster terminates
    // (real EMR does), and they keep the VPC from being deleted: the test terminates them, as EMR would, and
    // runs teardown again.
    let down = script('teardown.sh', ['--delete-keys', '--delete-data']);
    if (down.status !== 0) {
      assert.match(down.stderr, /DependencyViolation|has dependencies/, down.stderr);
      const leftovers = q([
        'ec2',
        'describe-instances',
        '--filters',
        'Name=instance-state-name,Values=running',
        '--query',
        "Reservations[].Instances[?!not_null(Tags[?Key=='aws:cloudformation:stack-name'])].InstanceId",
        '--output',
        'text',
      ])
        .split(/\s+/)
        .filter(Boolean);
      if (leftovers.length) q(['ec2', 'terminate-instances', '--instance-ids', ...leftovers]);
      down = script('teardown.sh', ['--delete-keys', '--delete-data']);
    }
    assert.equal(down.status, 0, down.stderr);
    assert.equal(q(['emr', 'list-clusters', '--active', '--query', 'length(Clusters)']), '0');
    // The keys are retained by CloudFormation (DeletionPolicy Retain, checked in model.test.ts), so teardown
    // --delete-keys schedules their deletion itself. moto's CloudFormation ignores Retain and deletes them with the
    // stack (describe-key then fails), so the script's own account of each key is what can be checked here.
    for (const key of [s3Key, diskKey]) {
      assert.match(
        down.stderr,
        new RegExp(`Key ${key.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} (is scheduled for deletion|no longer exists)`),
        key,
      );
    }
    const stacks = q([
      'cloudformation',
      'list-stacks',
      '--query',
      "StackSummaries[?StackStatus!='DELETE_COMPLETE'].StackName",
      '--output',
      'text',
    ]);
    assert.equal(stacks, '');
    assert.equal(
      q([
        'ec2',
        'describe-instances',
        '--filters',
        'Name=instance-state-name,Values=running',
        '--query',
        'length(Reservations[].Instances[])',
      ]),
      '0',
    );
    // moto's CloudFormation marks the network stack DELETE_COMPLETE but leaves its NAT gateway and VPC behind
    // (AWS deletes them with the stack); what moto does support is checked: the stack is deleted (above), its
    // bastion is terminated and nothing of the project runs.
    assert.ok(vpcId.startsWith('vpc-'));
    assert.notEqual(
      run('aws', ['s3api', 'head-bucket', '--bucket', BUCKET], { env: moto.env() }).status,
      0,
      'bucket deleted with --delete-data',
    );
    assert.match(
      readFileSync(join(dir, 'ssh-commands.txt'), 'utf8'),
      /ssh -i ~\/.ssh\/secure-emr.pem -J ec2-user@\$BASTION hadoop@\$PRIMARY/,
    );
  });
});
