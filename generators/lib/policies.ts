/**
 * Every policy document the project emits, built from the model as typed values: KMS key policies, the roles'
 * inline policies, the S3 gateway endpoint policy and the project bucket's policy. Each statement carries a
 * Sid that says why it is there; tests evaluate these documents rather than their text.
 */
import { accountRootArn, getAtt, policy, roleArn, s3BucketArn } from './cfn.js';
import type { PolicyDocument, Statement, Value } from './cfn.js';
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

/** A key policy: the account root administers; the named roles use the key and grant to AWS resources. */
export function keyPolicy(users: readonly string[]): PolicyDocument {
  const principals = { AWS: users.map(roleArn) };
  return policy(
    {
      Sid: 'AccountRootAdministers',
      Effect: 'Allow',
      Principal: { AWS: accountRootArn() },
      Action: 'kms:*',
      Resource: '*',
    },
    { Sid: 'ClusterRolesUseTheKey', Effect: 'Allow', Principal: principals, Action: KEY_USE_ACTIONS, Resource: '*' },
    {
      Sid: 'ClusterRolesGrantToAwsResources',
      Effect: 'Allow',
      Principal: principals,
      Action: KEY_GRANT_ACTIONS,
      Resource: '*',
      Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    },
  );
}

/** A bucket and its objects, as ARNs resolved by CloudFormation. */
export function bucketAndObjects(bucket: string): Value[] {
  return [s3BucketArn(bucket), s3BucketArn(bucket, '/*')];
}

/** The EC2 instance role's inline policy: the project bucket, EMR's repositories and log bucket, self-description. */
export function instanceRolePolicy(m: Model): PolicyDocument {
  const bucket = m.answers.bucketName;
  return policy(
    {
      Sid: 'ProjectBucket',
      Effect: 'Allow',
      Action: ['s3:ListBucket', 's3:GetBucketLocation'],
      Resource: s3BucketArn(bucket),
    },
    {
      Sid: 'ProjectObjects',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
      Resource: s3BucketArn(bucket, '/*'),
    },
    {
      Sid: 'EmrOwnedBuckets',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:ListBucket'],
      Resource: [...m.emrRepositoryBuckets, m.emrLogBucket].flatMap(bucketAndObjects),
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

/** The S3 gateway endpoint of the private subnet: the project bucket, EMR's repositories and its log bucket. */
export function s3EndpointPolicy(m: Model): PolicyDocument {
  const anyone = (statement: Omit<Statement, 'Effect' | 'Principal'>): Statement => ({
    Sid: statement.Sid,
    Effect: 'Allow',
    Principal: '*',
    Action: statement.Action,
    Resource: statement.Resource,
  });
  return policy(
    anyone({
      Sid: 'ProjectBucket',
      Action: [
        's3:GetObject',
        's3:PutObject',
        's3:DeleteObject',
        's3:AbortMultipartUpload',
        's3:ListBucket',
        's3:GetBucketLocation',
        's3:ListBucketMultipartUploads',
        's3:ListMultipartUploadParts',
      ],
      Resource: bucketAndObjects(m.answers.bucketName),
    }),
    anyone({
      Sid: 'EmrRepositories',
      Action: ['s3:GetObject', 's3:ListBucket'],
      Resource: m.emrRepositoryBuckets.flatMap(bucketAndObjects),
    }),
    anyone({
      Sid: 'EmrServiceLogs',
      Action: ['s3:PutObject', 's3:GetObject'],
      Resource: [s3BucketArn(m.emrLogBucket, '/*')],
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
