/** Issue 4: kms.json, environment.json, iam.json and the security configuration: lint, posture, deployment. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { aws, cfnLintFindings, generateProject, readJson, run, startMoto } from './support/helpers.js';
import type { Moto } from './support/helpers.js';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Template = { Resources: Record<string, Resource>; Outputs: Record<string, unknown> };

const ANSWER_SETS: Record<string, string[]> = {
  defaults: [],
  'eu-west-1, other CIDRs': [
    '--region',
    'eu-west-1',
    '--vpc-cidr',
    '172.31.0.0/16',
    '--public-subnet-cidr',
    '172.31.0.0/20',
    '--private-subnet-cidr',
    '172.31.16.0/20',
  ],
  'SSE-KMS in ap-southeast-2': [
    '--region',
    'ap-southeast-2',
    '--s3-encryption-mode',
    'SSE-KMS',
    '--project-name',
    'analytics',
  ],
  'SSE-S3 with the EMR default roles': [
    '--region',
    'us-west-2',
    '--s3-encryption-mode',
    'SSE-S3',
    '--iam-roles',
    'emr-defaults',
  ],
};

const projects = new Map<string, string>();
function project(name: string): string {
  let dir = projects.get(name);
  if (!dir) {
    dir = generateProject(ANSWER_SETS[name]);
    projects.set(name, dir);
  }
  return dir;
}

function templates(dir: string): string[] {
  return ['cfn/iam.json', 'cfn/kms.json', 'cfn/environment.json']
    .map((f) => join(dir, f))
    .filter((f) => run('test', ['-f', f]).status === 0);
}

/** cfn-lint's findings for every answer set, from one cfn-lint run over all of them. */
let lintFindings: Map<string, string[]> | undefined;
function findings(name: string): string[] {
  lintFindings ??= cfnLintFindings(Object.keys(ANSWER_SETS).map(project));
  return lintFindings.get(project(name)) ?? [];
}

function byType(t: Template, type: string): Resource[] {
  return Object.values(t.Resources).filter((r) => r.Type === type);
}

describe('cfn-lint: no errors and no warnings', () => {
  for (const name of Object.keys(ANSWER_SETS)) {
    it(name, () => {
      const files = templates(project(name));
      assert.ok(files.length >= 2);
      assert.deepEqual(findings(name), []);
    });
  }
});

describe('posture rules (parsed from the emitted files)', () => {
  const dir = (): string => project('defaults');
  const kms = (): Template => readJson<Template>(join(dir(), 'cfn/kms.json'));
  const env = (): Template => readJson<Template>(join(dir(), 'cfn/environment.json'));
  type Statement = {
    Sid?: string;
    Effect: string;
    Principal?: unknown;
    Action: string | string[];
    Condition?: unknown;
  };
  const statements = (key: Resource): Statement[] => (key.Properties.KeyPolicy as { Statement: Statement[] }).Statement;

  it('KMS.4 / CMK_BACKING_KEY_ROTATION_ENABLED: rotation on for both keys', () => {
    const keys = byType(kms(), 'AWS::KMS::Key');
    assert.equal(keys.length, 2);
    for (const k of keys) assert.equal(k.Properties.EnableKeyRotation, true);
  });

  it('KMS_NO_WILDCARD_PRINCIPAL: no * principal in the Allow statements of key policies', () => {
    for (const k of byType(kms(), 'AWS::KMS::Key')) {
      for (const s of statements(k).filter((s) => s.Effect === 'Allow')) {
        const p = JSON.stringify(s.Principal);
        assert.ok(p !== '"*"' && !p.includes('"AWS":"*"') && !p.includes('"*"'), `${s.Sid}: ${p}`);
      }
    }
  });

  it('EBS encryption: the service role can use and create grants on the disk key, only through EC2', () => {
    const disk = kms().Resources.DiskKey as Resource;
    const grant = statements(disk).find(
      (s) =>
        s.Effect === 'Allow' &&
        ([] as string[]).concat(s.Action).includes('kms:CreateGrant') &&
        /emr-service/.test(JSON.stringify(s.Principal)),
    );
    assert.ok(grant, 'a grant statement');
    assert.deepEqual(grant.Condition, {
      StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'ec2.${AWS::Region}.amazonaws.com' } },
      Bool: { 'kms:GrantIsForAWSResource': 'true' },
    });
    const use = statements(disk).find((s) => ([] as string[]).concat(s.Action).includes('kms:GenerateDataKey*'));
    assert.match(JSON.stringify(use?.Principal), /role\/secure-emr-emr-ec2/);
    assert.deepEqual(([] as string[]).concat(use?.Action ?? []).sort(), [
      'kms:Decrypt',
      'kms:DescribeKey',
      'kms:Encrypt',
      'kms:GenerateDataKey*',
      'kms:ReEncrypt*',
    ]);
  });

  it('EC2.13 / EC2.53 / INCOMING_SSH_DISABLED: no security group admits 0.0.0.0/0 or ::/0 on any port', () => {
    const t = env();
    const ingress = [
      ...byType(t, 'AWS::EC2::SecurityGroup').flatMap(
        (g) => (g.Properties.SecurityGroupIngress as Array<Record<string, unknown>> | undefined) ?? [],
      ),
      ...byType(t, 'AWS::EC2::SecurityGroupIngress').map((r) => r.Properties),
    ];
    assert.ok(ingress.length > 0);
    for (const rule of ingress) {
      assert.notEqual(rule.CidrIp, '0.0.0.0/0');
      assert.notEqual(rule.CidrIpv6, '::/0');
      assert.ok(typeof rule.Description === 'string' && rule.Description.length > 0, 'every rule has a description');
    }
    const ssh = ingress.find((r) => r.FromPort === 22 && r.CidrIp);
    assert.equal(ssh?.CidrIp, '203.0.113.0/24');
  });

  it('EC2.8: bastion requires IMDSv2', () => {
    const lt = byType(env(), 'AWS::EC2::LaunchTemplate')[0];
    const md = (lt?.Properties.LaunchTemplateData as { MetadataOptions: Record<string, unknown> }).MetadataOptions;
    assert.equal(md.HttpTokens, 'required');
    assert.equal(md.HttpPutResponseHopLimit, 1);
    const bastion = env().Resources.Bastion as Resource;
    assert.deepEqual((bastion.Properties.LaunchTemplate as { LaunchTemplateId: unknown }).LaunchTemplateId, {
      Ref: 'BastionLaunchTemplate',
    });
    assert.deepEqual(bastion.Properties.ImageId, { Ref: 'BastionImageId' });
  });

  it('SUBNET_AUTO_ASSIGN_PUBLIC_IP_DISABLED / EC2.15: the private subnet maps no public IPs', () => {
    const priv = env().Resources.PrivateSubnet as Resource;
    assert.equal(priv.Properties.MapPublicIpOnLaunch, false);
    assert.equal(priv.Properties.CidrBlock, '10.0.2.0/24');
  });

  it('S3 endpoint policy is scoped: no s3:* and no Resource *', () => {
    const ep = env().Resources.S3GatewayEndpoint as Resource;
    const doc = JSON.stringify(ep.Properties.PolicyDocument);
    assert.doesNotMatch(doc, /"s3:\*"/);
    assert.doesNotMatch(doc, /"Resource":"\*"/);
    for (const b of [
      'secure-emr-123456789012-us-east-1',
      'al2023-repos-us-east-1-de612dc2',
      'repo.us-east-1.emr.amazonaws.com',
      'aws157-logs-prod',
    ])
      assert.ok(doc.includes(b), b);
    assert.deepEqual(ep.Properties.RouteTableIds, [{ Ref: 'PrivateRouteTable' }]);
  });

  it('EC2.6: VPC flow logs on', () => {
    const fl = byType(env(), 'AWS::EC2::FlowLog')[0];
    assert.equal(fl?.Properties.TrafficType, 'ALL');
    assert.deepEqual(fl?.Properties.ResourceId, { Ref: 'Vpc' });
  });

  it('service access group: 9443 from primary, 8443 to primary and core; EMR groups tagged for the v2 policy, the bastion group not', () => {
    const t = env();
    const rules = byType(t, 'AWS::EC2::SecurityGroupIngress').map((r) => r.Properties);
    assert.ok(
      rules.some(
        (r) =>
          r.FromPort === 9443 &&
          JSON.stringify(r.GroupId).includes('ServiceAccess') &&
          JSON.stringify(r.SourceSecurityGroupId).includes('Primary'),
      ),
    );
    assert.ok(rules.some((r) => r.FromPort === 8443 && JSON.stringify(r.GroupId).includes('Primary')));
    assert.ok(rules.some((r) => r.FromPort === 8443 && JSON.stringify(r.GroupId).includes('Core')));
    for (const [id, g] of Object.entries(t.Resources).filter(([, r]) => r.Type === 'AWS::EC2::SecurityGroup')) {
      assert.equal(
        JSON.stringify(g.Properties.Tags).includes('"for-use-with-amazon-emr-managed-policies","Value":"true"'),
        id !== 'BastionSecurityGroup',
        id,
      );
    }
  });

  type SecConf = {
    EncryptionConfiguration: Record<string, any>;
    InstanceMetadataServiceConfiguration: Record<string, unknown>;
  };
  const sc = (name = 'defaults'): SecConf => readJson<SecConf>(join(project(name), 'emr/security-configuration.json'));

  it('EMR.3 / EMR.4 / CT.EMR.PR.1-4: at rest and in transit on, EBS encryption on, real booleans', () => {
    const e = sc().EncryptionConfiguration;
    assert.equal(e.EnableAtRestEncryption, true);
    assert.equal(e.EnableInTransitEncryption, true);
    assert.equal(e.AtRestEncryptionConfiguration.LocalDiskEncryptionConfiguration.EnableEbsEncryption, true);
    assert.equal(e.AtRestEncryptionConfiguration.LocalDiskEncryptionConfiguration.EncryptionKeyProviderType, 'AwsKms');
    assert.equal(e.InTransitEncryptionConfiguration.TLSCertificateConfiguration.CertificateProviderType, 'PEM');
    // Filled by scripts/lib.sh from CERTIFICATE_VERSION at deploy time (test/e2e.test.ts checks the filled value).
    assert.equal(e.InTransitEncryptionConfiguration.TLSCertificateConfiguration.S3Object, '__CERTS_S3_OBJECT__');
  });

  it('EMR_SECURITY_CONFIG_ENABLED_AND_CONFIGURED_RULE: a KMS S3 mode has a key; SSE-S3 has none', () => {
    assert.equal(
      sc().EncryptionConfiguration.AtRestEncryptionConfiguration.S3EncryptionConfiguration.EncryptionMode,
      'CSE-KMS',
    );
    assert.equal(
      sc().EncryptionConfiguration.AtRestEncryptionConfiguration.S3EncryptionConfiguration.AwsKmsKey,
      '__S3_KMS_KEY_ARN__',
    );
    assert.equal(
      sc('SSE-KMS in ap-southeast-2').EncryptionConfiguration.AtRestEncryptionConfiguration.S3EncryptionConfiguration
        .EncryptionMode,
      'SSE-KMS',
    );
    assert.deepEqual(
      sc('SSE-S3 with the EMR default roles').EncryptionConfiguration.AtRestEncryptionConfiguration
        .S3EncryptionConfiguration,
      { EncryptionMode: 'SSE-S3' },
    );
  });

  it('EC2.8 on the cluster: IMDSv2 block present with hop limit 1', () => {
    assert.deepEqual(sc().InstanceMetadataServiceConfiguration, {
      MinimumInstanceMetadataServiceVersion: 2,
      HttpPutResponseHopLimit: 1,
    });
  });

  it('the EMR default roles option names EMR_DefaultRole (what create-default-roles creates) and emits no IAM stack', () => {
    const dir = project('SSE-S3 with the EMR default roles');
    assert.equal(run('test', ['-f', join(dir, 'cfn/iam.json')]).status, 1);
    assert.match(JSON.stringify(readJson(join(dir, 'cfn/kms.json'))), /role\/EMR_DefaultRole"/);
    assert.doesNotMatch(JSON.stringify(readJson(join(dir, 'cfn/kms.json'))), /_V2/);
  });
});

describe('every template deploys on moto_server in dependency order', () => {
  let moto: Moto;
  before(async () => {
    moto = await startMoto();
  });
  after(() => moto?.stop());

  it('iam, kms, environment reach CREATE_COMPLETE', () => {
    const dir = project('eu-west-1, other CIDRs');
    const region = 'eu-west-1';
    aws(moto, ['ec2', 'create-key-pair', '--key-name', 'secure-emr'], region);
    for (const [stack, file] of [
      ['iam', 'cfn/iam.json'],
      ['kms', 'cfn/kms.json'],
      ['environment', 'cfn/environment.json'],
    ] as const) {
      const name = `secure-emr-${stack}`;
      aws(
        moto,
        [
          'cloudformation',
          'create-stack',
          '--stack-name',
          name,
          '--template-body',
          `file://${join(dir, file)}`,
          '--capabilities',
          'CAPABILITY_NAMED_IAM',
        ],
        region,
      );
      aws(moto, ['cloudformation', 'wait', 'stack-create-complete', '--stack-name', name], region);
      assert.equal(
        aws(
          moto,
          [
            'cloudformation',
            'describe-stacks',
            '--stack-name',
            name,
            '--query',
            'Stacks[0].StackStatus',
            '--output',
            'text',
          ],
          region,
        ),
        'CREATE_COMPLETE',
      );
    }
    const keyArn = aws(
      moto,
      [
        'cloudformation',
        'describe-stacks',
        '--stack-name',
        'secure-emr-kms',
        '--query',
        "Stacks[0].Outputs[?OutputKey=='DiskKeyArn'].OutputValue | [0]",
        '--output',
        'text',
      ],
      region,
    );
    assert.match(keyArn, /^arn:aws:kms:eu-west-1:123456789012:key\//);
    assert.equal(
      aws(
        moto,
        ['kms', 'get-key-rotation-status', '--key-id', keyArn, '--query', 'KeyRotationEnabled', '--output', 'text'],
        region,
      ),
      'True',
    );
    const vpc = aws(
      moto,
      [
        'cloudformation',
        'describe-stacks',
        '--stack-name',
        'secure-emr-environment',
        '--query',
        "Stacks[0].Outputs[?OutputKey=='VpcId'].OutputValue | [0]",
        '--output',
        'text',
      ],
      region,
    );
    assert.equal(
      aws(moto, ['ec2', 'describe-vpcs', '--vpc-ids', vpc, '--query', 'Vpcs[0].CidrBlock', '--output', 'text'], region),
      '172.31.0.0/16',
    );
  });
});
