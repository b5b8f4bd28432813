/**
 * Every policy document the project emits, built from the model as typed values: KMS key policies, the roles'
 * inline policies, the S3 gateway endpoint policy and the project bucket's policy. Each statement carries a
 * Sid that says why it is there; tests evaluate these documents rather than their text.
 */
import { accountRootArn, arn, getAtt, policy, roleArn, s3BucketArn, sub } from './cfn.js';
import type { Condition, PolicyDocument, Statement, Value } from './cfn.js';
import type { Model } from './model.js';

/** What a key user does with a key (brief, section 4). */
export const KEY_USE_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
  'kms:DescribeKey',
];
/** Grants, only for AWS resources (EBS, EMR). */
export const KEY_GRANT_ACTIONS = ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'];

/**
 * CT.KMS.PR.3 (AWS Control Tower, kms_create_grant_aws_service_check): deny grants that are neither for an AWS
 * resource nor made by an AWS service. The guard rule wants exactly this shape (Principal "*", Resource "*",
 * only BoolIfExists with both keys as the strings "false").
 */
export const DENY_GRANTS_NOT_FOR_AWS_RESOURCES: Statement = {
  Sid: 'DenyCreateGrantUnlessForAwsResource',
  Effect: 'Deny',
  Principal: '*',
  Action: 'kms:CreateGrant',
  Resource: '*',
  Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
};

const accountRootAdministers: Statement = {
  Sid: 'AccountRootAdministers',
  Effect: 'Allow',
  Principal: { AWS: accountRootArn() },
  Action: 'kms:*',
  Resource: '*',
};

/** The condition that a key is used by EC2 on the caller's behalf (EBS volumes), not directly. */
export const VIA_EC2: Condition = { StringEquals: { 'kms:ViaService': sub('ec2.${AWS::Region}.amazonaws.com') } };

/**
 * A key policy: the account root administers; `users` use the key directly and grant to AWS resources;
 * `usersViaEc2` (the EMR service role, which only attaches encrypted EBS volumes) do the same only through EC2;
 * and no one creates a grant that is not for an AWS resource (CT.KMS.PR.3).
 */
export function keyPolicy(users: readonly string[], usersViaEc2: readonly string[] = []): PolicyDocument {
  const direct = { AWS: users.map(roleArn) };
  const viaEc2 = { AWS: usersViaEc2.map(roleArn) };
  const grantsForAwsResources: Condition = { Bool: { 'kms:GrantIsForAWSResource': 'true' } };
  return policy(
    accountRootAdministers,
    { Sid: 'ClusterRolesUseTheKey', Effect: 'Allow', Principal: direct, Action: KEY_USE_ACTIONS, Resource: '*' },
    {
      Sid: 'ClusterRolesGrantToAwsResources',
      Effect: 'Allow',
      Principal: direct,
      Action: KEY_GRANT_ACTIONS,
      Resource: '*',
      Condition: grantsForAwsResources,
    },
    ...(usersViaEc2.length === 0
      ? []
      : [
          {
            Sid: 'ServiceRoleUsesTheKeyOnlyThroughEc2',
            Effect: 'Allow',
            Principal: viaEc2,
            Action: KEY_USE_ACTIONS,
            Resource: '*',
            Condition: VIA_EC2,
          } satisfies Statement,
          {
            Sid: 'ServiceRoleGrantsOnlyThroughEc2',
            Effect: 'Allow',
            Principal: viaEc2,
            Action: KEY_GRANT_ACTIONS,
            Resource: '*',
            Condition: { ...VIA_EC2, ...grantsForAwsResources },
          } satisfies Statement,
        ]),
    DENY_GRANTS_NOT_FOR_AWS_RESOURCES,
  );
}

/**
 * The key of the VPC flow-log group (CT.CLOUDWATCH.PR.3 wants a key in the log group's own template): the account
 * root administers, CloudWatch Logs of this region uses it only for this log group (the encryption context
 * kms:EncryptionContext:aws:logs:arn, as in the CloudWatch Logs guide "Encrypt log data using AWS KMS").
 */
export function logsKeyPolicy(logGroupName: string): PolicyDocument {
  return policy(
    accountRootAdministers,
    {
      Sid: 'CloudWatchLogsUsesTheKeyForTheFlowLogGroup',
      Effect: 'Allow',
      Principal: { Service: sub('logs.${AWS::Region}.amazonaws.com') },
      Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      Resource: '*',
      Condition: {
        ArnEquals: {
          'kms:EncryptionContext:aws:logs:arn': arn(
            `logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${logGroupName}`,
          ),
        },
      },
    },
    DENY_GRANTS_NOT_FOR_AWS_RESOURCES,
  );
}

/** A bucket and its objects, as ARNs resolved by CloudFormation. */
export function bucketAndObjects(bucket: string): Value[] {
  return [s3BucketArn(bucket), s3BucketArn(bucket, '/*')];
}

/** Prefixes of the project bucket the nodes only read: certificates, job code, input data. */
export const READ_ONLY_PREFIXES = ['certs/', 'jobs/', 'data/'] as const;
/** Prefixes the jobs write (and overwrite: Spark's committer deletes its temporary objects). */
export const JOB_OUTPUT_PREFIXES = ['output/'] as const;
/** The cluster's log URI (`--log-uri s3://<bucket>/logs/` in deploy.sh): EMR's log pusher only adds objects. */
export const LOG_PREFIXES = ['logs/'] as const;

/** Multipart uploads: EMRFS and S3A upload large objects in parts, and abort and list them on failure. */
const MULTIPART_OBJECT_ACTIONS = ['s3:AbortMultipartUpload', 's3:ListMultipartUploadParts'];

/**
 * The project bucket as the cluster nodes use it: the statements the instance role is allowed and, with
 * Principal "*", what the S3 gateway endpoint lets through to the project bucket (the same statements, so the two
 * cannot drift apart).
 */
function projectBucketStatements(m: Model): Statement[] {
  const bucket = m.answers.bucketName;
  const objects = (prefixes: readonly string[]) => prefixes.map((prefix) => s3BucketArn(bucket, `/${prefix}*`));
  return [
    {
      Sid: 'ProjectBucketListing',
      Effect: 'Allow',
      Action: ['s3:ListBucket', 's3:GetBucketLocation', 's3:ListBucketMultipartUploads'],
      Resource: s3BucketArn(bucket),
    },
    {
      Sid: 'ReadCertificatesJobsAndData',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: objects(READ_ONLY_PREFIXES),
    },
    {
      Sid: 'WriteJobOutput',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', ...MULTIPART_OBJECT_ACTIONS],
      Resource: objects(JOB_OUTPUT_PREFIXES),
    },
    {
      Sid: 'AppendClusterLogs',
      Effect: 'Allow',
      Action: ['s3:PutObject', ...MULTIPART_OBJECT_ACTIONS],
      Resource: objects(LOG_PREFIXES),
    },
  ];
}

/**
 * The EC2 instance role's inline policy: the project bucket by prefix (read-only certs/, jobs/, data/; write
 * output/ and logs/), EMR's package repositories, EMR's system log bucket (PUT, as the EMR Management Guide's
 * "Sample policies for private subnets that access Amazon S3" requires), and the cluster describing itself.
 * Session Manager's channel permissions only with access ssm (SESSION_MANAGER_INSTANCE_ACTIONS); with bastion or
 * none the nodes have no SSM permissions at all.
 */
export function instanceRolePolicy(m: Model): PolicyDocument {
  return policy(
    ...(m.network.sessionManager
      ? [
          {
            Sid: 'SessionManagerChannelsOnly',
            Effect: 'Allow' as const,
            Action: [...SESSION_MANAGER_INSTANCE_ACTIONS],
            Resource: '*',
          },
        ]
      : []),
    ...projectBucketStatements(m),
    {
      Sid: 'EmrRepositories',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:ListBucket'],
      Resource: m.emrRepositoryBuckets.flatMap(bucketAndObjects),
    },
    {
      Sid: 'EmrSystemLogs',
      Effect: 'Allow',
      Action: 's3:PutObject',
      Resource: s3BucketArn(m.emrLogBucket, '/*'),
    },
    {
      Sid: 'ClusterSelfDescription',
      Effect: 'Allow',
      Action: [
        'elasticmapreduce:DescribeCluster',
        'elasticmapreduce:ListBootstrapActions',
        'elasticmapreduce:ListInstanceGroups',
        'elasticmapreduce:ListInstances',
        'elasticmapreduce:ListSteps',
        'ec2:DescribeTags',
        'ec2:DescribeInstances',
        'cloudwatch:PutMetricData',
      ],
      Resource: '*',
    },
  );
}

/**
 * The narrowest instance permissions Session Manager works with: the set the Systems Manager User Guide gives for
 * a custom instance profile for Session Manager ("Step 2: Verify or add instance permissions for Session Manager",
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/getting-started-create-iam-instance-profile.html;
 * the same five actions as the AWS managed policy AWSCloud9SSMInstanceProfile). These actions take no resource
 * ARN (Resource "*"). Not AmazonSSMManagedInstanceCore, which adds Run Command, inventory, patching and parameters.
 */
export const SESSION_MANAGER_INSTANCE_ACTIONS = [
  'ssm:UpdateInstanceInformation',
  'ssmmessages:CreateControlChannel',
  'ssmmessages:CreateDataChannel',
  'ssmmessages:OpenControlChannel',
  'ssmmessages:OpenDataChannel',
] as const;

/** The Session Manager documents an operator may start: a shell, and port forwarding to the web UIs. */
export const SESSION_DOCUMENTS = ['SSM-SessionManagerRunShell', 'AWS-StartPortForwardingSession'] as const;

/**
 * ssm-operator-policy.json (with access ssm): what a person needs to reach the cluster and nothing more. Start
 * a session only on instances carrying the cluster's launch tag (EMR copies cluster tags to its instances) and
 * only with the shell or port-forwarding documents; end only their own sessions; find the primary node.
 */
export function operatorPolicy(m: Model): PolicyDocument {
  const region = m.answers.region;
  const account = m.answers.accountId;
  return policy(
    {
      Sid: 'StartSessionsOnTheProjectClusterOnly',
      Effect: 'Allow',
      Action: 'ssm:StartSession',
      Resource: `arn:${m.partition}:ec2:${region}:${account}:instance/*`,
      Condition: { StringEquals: { [`ssm:resourceTag/${m.launchTagKey}`]: m.answers.bucketName } },
    },
    {
      Sid: 'OnlyTheShellAndPortForwardingDocuments',
      Effect: 'Allow',
      Action: 'ssm:StartSession',
      // SSM-SessionManagerRunShell is the account's own session document, AWS-StartPortForwardingSession an AWS-owned
      // one (no account in its ARN): `*` for the account matches both.
      Resource: SESSION_DOCUMENTS.map((d) => `arn:${m.partition}:ssm:${region}:*:document/${d}`),
    },
    {
      Sid: 'EndOwnSessionsOnly',
      Effect: 'Allow',
      Action: ['ssm:TerminateSession', 'ssm:ResumeSession'],
      Resource: `arn:${m.partition}:ssm:*:${account}:session/\${aws:userid}-*`,
    },
    {
      Sid: 'FindThePrimaryNode',
      Effect: 'Allow',
      Action: ['elasticmapreduce:ListClusters', 'elasticmapreduce:ListInstances', 'elasticmapreduce:DescribeCluster'],
      Resource: '*',
    },
  );
}

/** The service role may pass the project's instance role to EC2, and nothing else. */
export function passInstanceRolePolicy(instanceRoleLogicalId: string): PolicyDocument {
  return policy({
    Sid: 'PassTheProjectInstanceRoleToEc2',
    Effect: 'Allow',
    Action: 'iam:PassRole',
    Resource: getAtt(instanceRoleLogicalId, 'Arn'),
    Condition: { StringLike: { 'iam:PassedToService': 'ec2.amazonaws.com*' } },
  });
}

/**
 * The S3 gateway endpoint of the private subnet: the project bucket exactly as the instance role uses it, and the
 * EMR-owned buckets of the EMR Management Guide's "Sample policies for private subnets that access Amazon S3"
 * for 7.x: the Amazon Linux 2023 and EMR repositories, the system log bucket (s3:Put*) and the persistent
 * application UI bucket prod.<region>.appinfo.src.
 */
export function s3EndpointPolicy(m: Model): PolicyDocument {
  const anyone = (statement: Statement): Statement => ({ ...statement, Principal: '*' });
  return policy(
    ...projectBucketStatements(m).map(anyone),
    anyone({
      Sid: 'EmrRepositories',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:ListBucket'],
      Resource: m.emrRepositoryBuckets.flatMap(bucketAndObjects),
    }),
    anyone({
      Sid: 'EnableClusterLogs',
      Effect: 'Allow',
      Action: 's3:Put*',
      Resource: s3BucketArn(m.emrLogBucket, '/*'),
    }),
    anyone({
      Sid: 'EnableApplicationHistory',
      Effect: 'Allow',
      Action: ['s3:Put*', 's3:Get*', 's3:Create*', 's3:Abort*', 's3:List*'],
      Resource: s3BucketArn(m.emrAppInfoBucket, '/*'),
    }),
  );
}

/**
 * The project bucket's policy, which scripts/deploy.sh applies: TLS only. Plain ARNs (no CloudFormation here),
 * in the project's partition.
 */
export function bucketPolicy(m: Model): PolicyDocument {
  const bucketArn = `arn:${m.partition}:s3:::${m.answers.bucketName}`;
  return policy({
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  });
}
