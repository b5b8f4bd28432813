/**
 * Issue 10: the model and the typed documents built from it, unit-tested without rendering: names, the
 * certificate's S3 key, key policies, the endpoint and bucket policies, the security configuration, and the
 * piece registry that everything else derives from.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Answers } from '../generators/lib/answers.js';
import { finalize, fillDefaults } from '../generators/lib/answer-intake.js';
import type { PolicyDocument, Statement } from '../generators/lib/cfn.js';
import { PLACEHOLDERS, buildModel, certsS3KeyFor } from '../generators/lib/model.js';
import type { Model } from '../generators/lib/model.js';
import {
  SESSION_MANAGER_INSTANCE_ACTIONS,
  bucketPolicy,
  instanceRolePolicy,
  s3EndpointPolicy,
} from '../generators/lib/policies.js';
import { GENERATOR_NAMES, PIECES } from '../generators/lib/registry.js';
import { environmentTemplate } from '../generators/environment/environment-template.js';
import { iamTemplate } from '../generators/iam/iam-template.js';
import { kmsTemplate } from '../generators/kms/kms-template.js';
import { securityConfigurationDocument } from '../generators/security-configuration/security-configuration-document.js';
import { ROOT, run } from './support/helpers.js';

function answers(extra: Partial<Answers> = {}): Answers {
  // projectName and region given: their defaults come from the folder and the environment.
  return finalize(
    fillDefaults(
      {
        projectName: 'secure-emr',
        region: 'us-east-1',
        accountId: '123456789012',
        sshCidr: '203.0.113.0/24',
        ...extra,
      },
      true,
    ),
  );
}
const model = (extra: Partial<Answers> = {}, version = 1): Model =>
  buildModel(answers(extra), { certificateVersion: version });

const statements = (doc: unknown): Statement[] => (doc as PolicyDocument).Statement;
const bySid = (doc: unknown, sid: string): Statement => {
  const found = statements(doc).find((s) => s.Sid === sid);
  assert.ok(found, `statement ${sid}`);
  return found;
};
const actions = (s: Statement): string[] => ([] as string[]).concat(s.Action).sort();

describe('model: facts computed once', () => {
  it('names follow the project name', () => {
    const m = model({ projectName: 'risk' });
    assert.deepEqual(m.stacks, { iam: 'risk-iam', kms: 'risk-kms', environment: 'risk-environment' });
    assert.equal(m.clusterName, 'risk-cluster');
    assert.equal(m.securityConfigurationPrefix, 'risk');
    assert.deepEqual(m.roles, {
      service: 'risk-emr-service',
      instance: 'risk-emr-ec2',
      instanceProfile: 'risk-emr-ec2',
      createdByProject: true,
    });
  });

  it('the certificate S3 key: one function for the model and for scripts/project.env (which bash expands)', () => {
    const m = model({}, 3);
    assert.equal(m.certs.s3Key, 'certs/v3/certs.zip');
    assert.equal(m.certs.s3Uri, 's3://secure-emr-123456789012-us-east-1/certs/v3/certs.zip');
    const expanded = run('bash', ['-c', `CERTIFICATE_VERSION=7; printf '%s' "${m.certs.s3KeyShell}"`]).stdout;
    assert.equal(expanded, certsS3KeyFor(7));
  });

  it('emr-defaults names the default roles and creates none', () => {
    const m = model({ iamRoles: 'emr-defaults' });
    assert.equal(m.roles.createdByProject, false);
    assert.equal(m.roles.instanceProfile, 'EMR_EC2_DefaultRole');
  });

  it('EMR-owned buckets follow the region (us-east-1 log bucket has no suffix)', () => {
    assert.equal(model().emrLogBucket, 'aws157-logs-prod');
    const m = model({ region: 'eu-west-1' });
    assert.equal(m.emrLogBucket, 'aws157-logs-prod-eu-west-1');
    assert.deepEqual(m.emrRepositoryBuckets, ['al2023-repos-eu-west-1-de612dc2', 'repo.eu-west-1.emr.amazonaws.com']);
  });
});

describe('typed documents', () => {
  it('key policies: root administers; the instance role uses the keys; the service role only through EC2; CT.KMS.PR.3 deny; Retain', () => {
    const t = kmsTemplate(model());
    const s3 = t.Resources.S3Key?.Properties.KeyPolicy;
    const disk = t.Resources.DiskKey?.Properties.KeyPolicy;
    assert.equal(
      JSON.stringify(bySid(s3, 'AccountRootAdministers').Principal),
      '{"AWS":{"Fn::Sub":"arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}',
    );
    assert.match(JSON.stringify(bySid(s3, 'ClusterRolesUseTheKey').Principal), /role\/secure-emr-emr-ec2"/);
    assert.doesNotMatch(JSON.stringify(s3), /emr-service/);
    assert.doesNotMatch(JSON.stringify(bySid(disk, 'ClusterRolesUseTheKey').Principal), /emr-service/);
    const via = bySid(disk, 'ServiceRoleUsesTheKeyOnlyThroughEc2');
    assert.match(JSON.stringify(via.Principal), /role\/secure-emr-emr-service"/);
    assert.deepEqual(via.Condition, {
      StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'ec2.${AWS::Region}.amazonaws.com' } },
    });
    const grants = bySid(disk, 'ClusterRolesGrantToAwsResources');
    assert.deepEqual(actions(grants), ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant']);
    assert.deepEqual(grants.Condition, { Bool: { 'kms:GrantIsForAWSResource': 'true' } });
    for (const doc of [s3, disk]) {
      assert.deepEqual(bySid(doc, 'DenyCreateGrantUnlessForAwsResource'), {
        Sid: 'DenyCreateGrantUnlessForAwsResource',
        Effect: 'Deny',
        Principal: '*',
        Action: 'kms:CreateGrant',
        Resource: '*',
        Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
      });
    }
    for (const key of [t.Resources.S3Key, t.Resources.DiskKey]) {
      assert.equal(key?.Properties.EnableKeyRotation, true);
      assert.equal(key?.DeletionPolicy, 'Retain');
      assert.equal(key?.UpdateReplacePolicy, 'Retain');
    }
    const defaults = kmsTemplate(model({ iamRoles: 'emr-defaults' }));
    assert.match(JSON.stringify(defaults.Resources.DiskKey?.Properties.KeyPolicy), /role\/EMR_EC2_DefaultRole"/);
    assert.match(JSON.stringify(defaults.Resources.DiskKey?.Properties.KeyPolicy), /role\/EMR_DefaultRole"/);
  });

  it('the instance role reads certs/, jobs/, data/, writes output/ and logs/, and only reads EMR repositories', () => {
    const t = iamTemplate(model());
    const role = t.Resources.EmrEc2Role?.Properties;
    assert.equal(role?.ManagedPolicyArns, undefined, 'no AmazonSSMManagedInstanceCore');
    const inline = (role?.Policies as Array<{ PolicyDocument: PolicyDocument }>)[0]?.PolicyDocument;
    assert.deepEqual(actions(bySid(inline, 'EmrRepositories')), ['s3:GetObject', 's3:ListBucket']);
    const prefixes = (sid: string) =>
      ([] as unknown[]).concat(bySid(inline, sid).Resource).map((r) => JSON.stringify(r).replace(/.*us-east-1\//, ''));
    assert.deepEqual(prefixes('ReadCertificatesJobsAndData'), ['certs/*"}', 'jobs/*"}', 'data/*"}']);
    assert.deepEqual(actions(bySid(inline, 'ReadCertificatesJobsAndData')), ['s3:GetObject']);
    assert.deepEqual(prefixes('WriteJobOutput'), ['output/*"}']);
    assert.deepEqual(prefixes('AppendClusterLogs'), ['logs/*"}']);
    assert.ok(!actions(bySid(inline, 'AppendClusterLogs')).includes('s3:DeleteObject'));
    assert.doesNotMatch(JSON.stringify(inline), /ssm:|"s3:\*"/);
  });

  it("the S3 endpoint policy: the project bucket as the instance role uses it, and AWS's private-subnet sample for 7.x", () => {
    const doc = s3EndpointPolicy(model({ region: 'eu-west-1' }));
    const text = JSON.stringify(doc);
    for (const b of [
      'secure-emr-123456789012-eu-west-1',
      'al2023-repos-eu-west-1-de612dc2',
      'repo.eu-west-1.emr.amazonaws.com',
      'aws157-logs-prod-eu-west-1',
      'prod.eu-west-1.appinfo.src',
    ]) {
      assert.ok(text.includes(b), b);
    }
    assert.doesNotMatch(text, /"s3:\*"|"Resource":"\*"/);
    assert.deepEqual(actions(bySid(doc, 'EnableClusterLogs')), ['s3:Put*']);
    assert.deepEqual(actions(bySid(doc, 'EnableApplicationHistory')), [
      's3:Abort*',
      's3:Create*',
      's3:Get*',
      's3:List*',
      's3:Put*',
    ]);
  });

  it('the bastion AMI follows the architecture of its instance type', () => {
    const parameter = (type: string) =>
      environmentTemplate(model({ bastionInstanceType: type })).Parameters?.BastionImageId?.Default;
    for (const type of ['t4g.micro', 'm6gd.large', 'c7gn.xlarge', 'r8g.large', 'g5g.xlarge', 'im4gn.large']) {
      assert.equal(parameter(type), '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64', type);
    }
    for (const type of ['t3.micro', 't3a.small', 'm5.large', 'g4dn.xlarge', 'm7i-flex.large', 'c6in.large']) {
      assert.equal(parameter(type), '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64', type);
    }
  });

  it('the EMR managed-policy tag is only on the VPC, the private subnet and the EMR security groups', () => {
    const t = environmentTemplate(model());
    const tagged = Object.entries(t.Resources)
      .filter(([, r]) => JSON.stringify(r.Properties.Tags ?? []).includes('for-use-with-amazon-emr-managed-policies'))
      .map(([id]) => id)
      .sort();
    assert.deepEqual(tagged, [
      'CoreSecurityGroup',
      'PrimarySecurityGroup',
      'PrivateSubnet',
      'ServiceAccessSecurityGroup',
      'Vpc',
    ]);
  });

  it('the flow-log group: encrypted with its own key (logs service, this group only), kept 365 days', () => {
    const t = environmentTemplate(model());
    const group = t.Resources.FlowLogGroup?.Properties;
    assert.deepEqual(group?.KmsKeyId, { 'Fn::GetAtt': ['FlowLogKey', 'Arn'] });
    assert.equal(group?.RetentionInDays, 365);
    const keyPolicy = t.Resources.FlowLogKey?.Properties.KeyPolicy;
    const logs = bySid(keyPolicy, 'CloudWatchLogsUsesTheKeyForTheFlowLogGroup');
    assert.deepEqual(logs.Principal, { Service: { 'Fn::Sub': 'logs.${AWS::Region}.amazonaws.com' } });
    assert.match(JSON.stringify(logs.Condition?.ArnEquals), /log-group:\/secure-emr\/vpc-flow-logs"/);
    assert.ok(bySid(keyPolicy, 'DenyCreateGrantUnlessForAwsResource'));
  });

  it('the bucket policy denies plain HTTP, in the project partition', () => {
    const s = bySid(bucketPolicy(model()), 'DenyInsecureTransport');
    assert.equal(s.Effect, 'Deny');
    assert.deepEqual(s.Resource, [
      'arn:aws:s3:::secure-emr-123456789012-us-east-1',
      'arn:aws:s3:::secure-emr-123456789012-us-east-1/*',
    ]);
    assert.deepEqual(s.Condition, { Bool: { 'aws:SecureTransport': 'false' } });
  });

  it('the security configuration: the S3 mode decides the key; placeholders for what exists only at deploy time', () => {
    const cse = securityConfigurationDocument(model());
    assert.deepEqual(cse.EncryptionConfiguration.AtRestEncryptionConfiguration.S3EncryptionConfiguration, {
      EncryptionMode: 'CSE-KMS',
      AwsKmsKey: PLACEHOLDERS.s3Key,
    });
    assert.deepEqual(cse.EncryptionConfiguration.InTransitEncryptionConfiguration.TLSCertificateConfiguration, {
      CertificateProviderType: 'PEM',
      S3Object: PLACEHOLDERS.certsS3Object,
    });
    const sse = securityConfigurationDocument(model({ s3EncryptionMode: 'SSE-S3' }));
    assert.deepEqual(sse.EncryptionConfiguration.AtRestEncryptionConfiguration.S3EncryptionConfiguration, {
      EncryptionMode: 'SSE-S3',
    });
  });

  it('the network: tags of the EMR managed policies on its resources, SSH only from sshCidr', () => {
    const t = environmentTemplate(model({ sshCidr: '198.51.100.0/24' }));
    const bastionSg = t.Resources.BastionSecurityGroup?.Properties.SecurityGroupIngress as Array<
      Record<string, unknown>
    >;
    assert.deepEqual(
      bastionSg.map((r) => r.CidrIp),
      ['198.51.100.0/24'],
    );
    assert.equal(t.Resources.PrivateSubnet?.Properties.MapPublicIpOnLaunch, false);
  });
});

// Issue 15: what each network, access and egress answer puts in the network template and the instance role.
describe('network and access modes', () => {
  const existing = {
    network: 'existing-vpc' as const,
    vpcId: 'vpc-0123456789abcdef0',
    privateSubnetId: 'subnet-0123456789abcdef0',
  };
  const types = (m: Model) => Object.values(environmentTemplate(m).Resources).map((r) => r.Type);
  const ids = (m: Model) => Object.keys(environmentTemplate(m).Resources);

  it('new-vpc + ssm + endpoints: no public subnet, internet gateway, NAT or bastion; every endpoint the nodes call', () => {
    const m = model({ access: 'ssm', egress: 'endpoints' });
    const t = environmentTemplate(m);
    for (const type of ['AWS::EC2::InternetGateway', 'AWS::EC2::NatGateway', 'AWS::EC2::EIP', 'AWS::EC2::Instance'])
      assert.ok(!types(m).includes(type), type);
    assert.ok(!ids(m).includes('PublicSubnet'));
    assert.ok(!types(m).includes('AWS::EC2::Route'), 'no route at all beside the local one');
    const services = Object.values(t.Resources)
      .filter((r) => r.Properties.VpcEndpointType === 'Interface')
      .map((r) => JSON.stringify(r.Properties.ServiceName).replace(/.*\./, '').replace(/"\}$/, ''));
    assert.deepEqual(services, ['elasticmapreduce', 'sts', 'kms', 'logs', 'ssm', 'ssmmessages', 'ec2messages']);
    for (const r of Object.values(t.Resources).filter((r) => r.Properties.VpcEndpointType === 'Interface')) {
      assert.equal(r.Properties.PrivateDnsEnabled, true);
      assert.deepEqual(r.Properties.SecurityGroupIds, [{ Ref: 'EndpointSecurityGroup' }]);
    }
    assert.deepEqual(t.Resources.EndpointSecurityGroup?.Properties.SecurityGroupIngress, [
      { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '10.0.0.0/16', Description: 'HTTPS from the VPC' },
    ]);
    assert.equal(
      (t.Resources.S3GatewayEndpoint?.Properties.PolicyDocument as PolicyDocument).Statement.length,
      s3EndpointPolicy(m).Statement.length,
      'the S3 gateway endpoint keeps its scoped policy',
    );
  });

  it('Secrets Manager endpoint only with emr-managed certificates; Systems Manager endpoints only with ssm', () => {
    const names = (m: Model) => m.network.interfaceEndpoints.map((e) => e.service);
    assert.ok(names(model({ egress: 'endpoints', certificateSource: 'emr-managed' })).includes('secretsmanager'));
    assert.ok(!names(model({ egress: 'endpoints' })).includes('secretsmanager'));
    assert.ok(!names(model({ egress: 'endpoints' })).includes('ssm'));
    assert.deepEqual(names(model()), [], 'none with nat');
  });

  it('existing-vpc: only the EMR security groups (and the endpoints chosen) in the given VPC; no flow logs of ours', () => {
    const nat = model({ ...existing, access: 'ssm' });
    assert.deepEqual(types(nat).sort(), [
      'AWS::EC2::SecurityGroup',
      'AWS::EC2::SecurityGroup',
      'AWS::EC2::SecurityGroup',
      'AWS::EC2::SecurityGroupIngress',
      'AWS::EC2::SecurityGroupIngress',
      'AWS::EC2::SecurityGroupIngress',
    ]);
    const t = environmentTemplate(nat);
    assert.equal(t.Resources.PrimarySecurityGroup?.Properties.VpcId, existing.vpcId);
    assert.equal(t.Outputs.PrivateSubnetId?.Value, existing.privateSubnetId);
    assert.equal(t.Parameters?.VpcCidr, undefined, 'no endpoints, no CIDR parameter');
    const endpoints = environmentTemplate(model({ ...existing, access: 'none', egress: 'endpoints' }));
    assert.equal(endpoints.Resources.S3GatewayEndpoint?.Condition, 'CreateS3GatewayEndpoint');
    assert.deepEqual(endpoints.Resources.S3GatewayEndpoint?.Properties.RouteTableIds, [{ Ref: 'PrivateRouteTableId' }]);
    assert.deepEqual(endpoints.Resources.EndpointSecurityGroup?.Properties.SecurityGroupIngress, [
      { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: { Ref: 'VpcCidr' }, Description: 'HTTPS from the VPC' },
    ]);
  });

  it('the nodes get the five Session Manager actions only with access ssm, and no key pair then', () => {
    const ssm = model({ access: 'ssm' });
    const statement = bySid(instanceRolePolicy(ssm), 'SessionManagerChannelsOnly');
    assert.deepEqual(statement.Action, [...SESSION_MANAGER_INSTANCE_ACTIONS]);
    assert.deepEqual(
      [...SESSION_MANAGER_INSTANCE_ACTIONS].sort(),
      [
        'ssm:UpdateInstanceInformation',
        'ssmmessages:CreateControlChannel',
        'ssmmessages:CreateDataChannel',
        'ssmmessages:OpenControlChannel',
        'ssmmessages:OpenDataChannel',
      ].sort(),
    );
    for (const m of [model(), model({ ...existing, access: 'none' })]) {
      const actions = statements(instanceRolePolicy(m)).flatMap((s) => [s.Action].flat());
      assert.ok(!actions.some((a) => /^(ssm|ssmmessages|ec2messages):/.test(a)), m.answers.access);
    }
    assert.equal(ssm.network.keyPair, false);
    assert.equal(model().network.keyPair, true);
  });
});

describe('the piece registry is the one list', () => {
  it('names are unique; each has generators/<name>/index.ts exporting generatorClass(<name>) and templates/<name>/', () => {
    assert.equal(new Set(GENERATOR_NAMES).size, GENERATOR_NAMES.length);
    assert.equal(GENERATOR_NAMES[0], 'app');
    for (const piece of PIECES) {
      const index = join(ROOT, 'generators', piece.name, 'index.ts');
      assert.match(readFileSync(index, 'utf8'), new RegExp(`export default generatorClass\\('${piece.name}'\\);`));
      assert.ok(existsSync(join(ROOT, 'templates', piece.name)), `templates/${piece.name}`);
      assert.ok(piece.description.length > 10, piece.name);
    }
  });

  it('no generator folder or template folder outside the registry', () => {
    const folders = readdirSync(join(ROOT, 'generators')).filter((n) => n !== 'lib');
    assert.deepEqual(folders.sort(), [...GENERATOR_NAMES].sort());
    assert.deepEqual(readdirSync(join(ROOT, 'templates')).sort(), [...GENERATOR_NAMES].sort());
    for (const name of GENERATOR_NAMES)
      assert.ok(existsSync(join(ROOT, 'dist', 'generators', name, 'index.js')), `bundle entry for ${name}`);
  });
});
