/**
 * THE facts of a project: every value that follows from the answers and appears in an emitted file is computed
 * here, once, and typed. Templates only place these values; the emitted scripts read them from
 * scripts/project.env (rendered from this model) or from the deployed stacks, never recompute them.
 * Documents (CloudFormation templates, policies, the security configuration) are built from this model by the
 * typed builders beside each piece (generators/<piece>/*-template.ts) and by policies.ts.
 */
import type { Answers } from './answers.js';
import type { Tag } from './cfn.js';
import { certificateDnsNames, emrLogBucket, emrRepositoryBuckets, nodeDomain, partitionOf } from './regions.js';

/** Generator state kept in .yo-rc.json beside the answers. Never key material. */
export interface State {
  /** Bumped by `:certs --rotate`; names the certificate zip's S3 key and so the security configuration. */
  certificateVersion: number;
}

export const INITIAL_STATE: State = { certificateVersion: 1 };

/**
 * Placeholders in emr/security-configuration.json that scripts/lib.sh fills at deploy time: the key ARNs exist
 * only once the KMS stack does, and the certificate's S3 object follows CERTIFICATE_VERSION in
 * scripts/project.env (so a rotation made with OpenSSL alone moves it too).
 */
export const PLACEHOLDERS = {
  s3Key: '__S3_KMS_KEY_ARN__',
  diskKey: '__DISK_KMS_KEY_ARN__',
  certsS3Object: '__CERTS_S3_OBJECT__',
} as const;

/** The S3 key of the certificate zip of a version. The one place this path is spelled. */
export function certsS3KeyFor(version: number | string): string {
  return `certs/v${version}/certs.zip`;
}

/**
 * EMR-managed certificates: how long the CA and certificates EMR makes are valid, from the security
 * configuration's creation (`ValidityInDays`; EMR's own default is 20 years). One year keeps the CA short-lived
 * and the recreation a yearly routine.
 */
export const EMR_MANAGED_VALIDITY_DAYS = 365;

/** The tag AmazonEMRServicePolicy_v2 keys its EC2 permissions on. */
export const EMR_MANAGED_TAG: Tag = { Key: 'for-use-with-amazon-emr-managed-policies', Value: 'true' };

/** Ports the network and the access documents agree on. */
export const PORTS = {
  ssh: 22,
  https: 443,
  /** EMR service to the nodes, through the service access group (emr-man-sec-groups.html). */
  serviceToNodes: 8443,
  /** Primary node to the EMR service, through the service access group. */
  nodesToService: 9443,
} as const;

/** Web UIs on the primary node that ssh-commands.txt forwards. */
export const WEB_UIS: ReadonlyArray<{ port: number; name: string }> = [
  { port: 8088, name: 'YARN ResourceManager' },
  { port: 18080, name: 'Spark history server' },
  { port: 10002, name: 'HiveServer2 UI' },
  { port: 20888, name: 'YARN proxy (Spark UI)' },
];

export interface Roles {
  service: string;
  instance: string;
  instanceProfile: string;
  /** Created by the project's IAM stack (true) or expected to exist already (the EMR default roles). */
  createdByProject: boolean;
}

export interface Model {
  answers: Answers;
  state: State;
  partition: string;
  nodeDomain: string;
  certificateDnsNames: string[];
  /** EMR-owned buckets a private-subnet 7.x cluster reads at boot. */
  emrRepositoryBuckets: string[];
  /** The bucket EMR writes its own service logs to. */
  emrLogBucket: string;
  stacks: { iam: string; kms: string; environment: string };
  roles: Roles;
  certs: {
    version: number;
    s3Key: string;
    s3Uri: string;
    /** The S3 key as scripts/project.env spells it, from CERTIFICATE_VERSION. */
    s3KeyShell: string;
  };
  /** With certificateSource emr-managed: what the security configuration asks EMR for. */
  emrManagedCertificates: { validityDays: number };
  /** Whether the project has key material to upload (certs/certs.zip): not with emr-managed certificates. */
  usesCertificateZip: boolean;
  clusterName: string;
  /** scripts/lib.sh names each security configuration `<prefix>-v<version>-<hash of the filled document>`. */
  securityConfigurationPrefix: string;
  /** Tags of every resource the project creates, and the project tag alone (stacks, roles, cluster). */
  tags: { project: Tag[]; named: (name: string) => Tag[] };
  /** A sample private address in the private subnet, for docs and the TLS check. */
  sampleNodeHost: string;
  /** The certificate subject (without CN) for `openssl req -subj`, with / + = \ escaped. */
  opensslSubjectBase: string;
  /** Sentences the documents use where an answer changes the wording. */
  wording: { iamPiece: string; s3DataKey: string };
}

/** `/C=US/O=A\/B` for `openssl req -subj`: / separates fields and + joins them, so both (and = and \) are escaped. */
export function opensslSubject(fields: ReadonlyArray<[string, string]>): string {
  return fields.map(([k, v]) => `/${k}=${v.replace(/[\\/+=]/g, (ch) => `\\${ch}`)}`).join('');
}

export function buildModel(answers: Answers, state: State): Model {
  const p = answers.projectName;
  const certsS3Key = certsS3KeyFor(state.certificateVersion);
  const project = answers.iamRoles === 'project';
  const roles: Roles = project
    ? { service: `${p}-emr-service`, instance: `${p}-emr-ec2`, instanceProfile: `${p}-emr-ec2`, createdByProject: true }
    : {
        service: 'EMR_DefaultRole_V2',
        instance: 'EMR_EC2_DefaultRole',
        instanceProfile: 'EMR_EC2_DefaultRole',
        createdByProject: false,
      };
  const [a = 10, b = 0, c = 2] = (answers.privateSubnetCidr.split('/')[0] ?? '').split('.').map(Number);
  const projectTag: Tag = { Key: 'project', Value: p };
  return {
    answers,
    state,
    partition: partitionOf(answers.region) ?? 'aws',
    nodeDomain: nodeDomain(answers.region),
    certificateDnsNames: certificateDnsNames(answers.region),
    emrRepositoryBuckets: emrRepositoryBuckets(answers.region),
    emrLogBucket: emrLogBucket(answers.region),
    stacks: { iam: `${p}-iam`, kms: `${p}-kms`, environment: `${p}-environment` },
    roles,
    certs: {
      version: state.certificateVersion,
      s3Key: certsS3Key,
      s3Uri: `s3://${answers.bucketName}/${certsS3Key}`,
      s3KeyShell: certsS3KeyFor('${CERTIFICATE_VERSION}'),
    },
    emrManagedCertificates: { validityDays: EMR_MANAGED_VALIDITY_DAYS },
    usesCertificateZip: answers.certificateSource !== 'emr-managed',
    clusterName: `${p}-cluster`,
    securityConfigurationPrefix: p,
    tags: {
      project: [projectTag],
      named: (name) => [{ Key: 'Name', Value: `${p}-${name}` }, projectTag, EMR_MANAGED_TAG],
    },
    sampleNodeHost: `ip-${a}-${b}-${c}-15.${nodeDomain(answers.region)}`,
    opensslSubjectBase: opensslSubject([
      ['C', answers.certCountry],
      ['ST', answers.certState],
      ['L', answers.certLocality],
      ['O', answers.certOrganization],
      ['OU', answers.certOrganizationalUnit],
    ]),
    wording: {
      iamPiece: project
        ? 'EMR service role (AmazonEMRServicePolicy_v2) and an EC2 instance role and profile scoped to this bucket and these keys'
        : `nothing to create: the EMR default roles ${roles.service} and ${roles.instance} are used (they must exist)`,
      s3DataKey: answers.s3EncryptionMode === 'SSE-S3' ? 'S3-managed keys' : answers.s3KeyAlias,
    },
  };
}
