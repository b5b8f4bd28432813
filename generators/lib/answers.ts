/**
 * THE answer declarations. Each entry drives the prompt, the CLI option, validation on every path, the JSON
 * Schema (answers.schema.json) and the answers tables in both READMEs. Add a field here and nowhere else.
 */
import { basename } from 'node:path';
import * as v from './validate.js';
import type { Check } from './validate.js';

export const S3_ENCRYPTION_MODES = ['CSE-KMS', 'SSE-KMS', 'SSE-S3'] as const;
export const CERT_KEY_SIZES = [2048, 3072, 4096] as const;
export const IAM_ROLE_MODES = ['project', 'emr-defaults'] as const;
export const CERTIFICATE_SOURCES = ['self-signed', 'pem-files', 'emr-managed'] as const;
export type CertificateSource = (typeof CERTIFICATE_SOURCES)[number];
export const NETWORK_MODES = ['new-vpc', 'existing-vpc'] as const;
export const ACCESS_MODES = ['bastion', 'ssm', 'none'] as const;
export const EGRESS_MODES = ['nat', 'endpoints'] as const;
export type NetworkMode = (typeof NETWORK_MODES)[number];
export type AccessMode = (typeof ACCESS_MODES)[number];
export type EgressMode = (typeof EGRESS_MODES)[number];

/** A path that is safe in every output that names it (the certs README, messages): no shell or Markdown specials. */
const pemPath: Check<string> = (value) =>
  value.length === 0 || value.length > 1024 || !/^[A-Za-z0-9_./@+~-]+$/.test(value)
    ? 'give the path of a PEM file (absolute, or relative to the project folder), with letters, digits and _ . / @ + ~ - only'
    : undefined;
const pemFiles = (a: Partial<Answers>): boolean => a.certificateSource === 'pem-files';
/** A new VPC is made here (also while the answer is not known yet: the default). */
const newVpc = (a: Partial<Answers>): boolean => a.network !== 'existing-vpc';
const existingVpc = (a: Partial<Answers>): boolean => a.network === 'existing-vpc';
const USED_ONLY_IN_EXISTING_VPC =
  'is used only with network existing-vpc; with new-vpc a new VPC would be made and this id ignored. Add --network existing-vpc (or "network": "existing-vpc"), or leave it out';
/** The bastion exists (the default access of a new VPC). */
const bastion = (a: Partial<Answers>): boolean => (a.access ?? 'bastion') === 'bastion';

export interface Answers {
  projectName: string;
  region: string;
  accountId: string;
  bucketName: string;
  s3KeyAlias: string;
  diskKeyAlias: string;
  network: NetworkMode;
  /** Only with network existing-vpc: the team's VPC and the private subnet the cluster runs in. */
  vpcId?: string;
  privateSubnetId?: string;
  access: AccessMode;
  egress: EgressMode;
  /** Only with network new-vpc (the public subnet only when something lives there: a bastion or the NAT gateway). */
  vpcCidr?: string;
  publicSubnetCidr?: string;
  privateSubnetCidr?: string;
  /** Only with access bastion. */
  sshCidr?: string;
  /** Only when sshCidr needs the confirmation (validate.ts, sshNeedsConfirmation). */
  allowSshFromAnywhere?: boolean;
  /** Not with access ssm (no SSH at all). */
  keyPairName?: string;
  /** Only with access bastion. */
  bastionInstanceType?: string;
  releaseLabel: string;
  instanceType: string;
  coreInstanceCount: number;
  idleTimeoutMinutes: number;
  s3EncryptionMode: (typeof S3_ENCRYPTION_MODES)[number];
  iamRoles: (typeof IAM_ROLE_MODES)[number];
  certificateSource: CertificateSource;
  /** Only with certificateSource pem-files: the paths of the team's CA-issued files. */
  certPrivateKey?: string;
  certChain?: string;
  certTrustedCertificates?: string;
  certCountry: string;
  certState: string;
  certLocality: string;
  certOrganization: string;
  certOrganizationalUnit: string;
  certValidityDays: number;
  certKeySize: (typeof CERT_KEY_SIZES)[number];
}

export type AnswerName = keyof Answers;
export type Kind = 'string' | 'integer' | 'boolean' | 'choice';

/** Answers the type allows to be absent: each must say when it is required (`requiredWhen`). */
type OptionalAnswer = { [K in AnswerName]-?: undefined extends Answers[K] ? K : never }[AnswerName];

interface SpecFields<K extends AnswerName> {
  kind: Kind;
  /** Question text for the prompt. */
  message: string;
  /** One sentence for the READMEs and the schema. */
  description: string;
  /** A fixed value, a value derived from earlier answers, or none (the user must give it). */
  default?: Answers[K] | ((earlier: Partial<Answers>) => Answers[K] | undefined);
  /** How --help and the README describe a derived default (a function), e.g. `this folder's name`. */
  defaultText?: string;
  choices?: readonly NonNullable<Answers[K]>[];
  check: Check<NonNullable<Answers[K]>>;
  /**
   * For an answer added after projects were made: the value that keeps what such a project had, used when a
   * saved set of answers (.yo-rc.json or an answers file) does not give it, so those keep working unchanged. A
   * function sees the answers the set gives and returns undefined where the set cannot predate the answer (then
   * the declared default applies).
   */
  savedDefault?: Answers[K] | ((given: Partial<Answers>) => Answers[K] | undefined);
  /**
   * Given on the command line or in an answers file where the other answers make it unused: refused with this
   * reason (instead of dropped), where dropping it would silently build something else than asked.
   */
  refusedWhenUnused?: string;
  /** Extra JSON Schema keywords (pattern, bounds) mirrored from `check` for editors. */
  schema?: Record<string, unknown>;
}

/**
 * The declaration of one answer. An optional field of `Answers` must declare `requiredWhen` (the answer is
 * needed, asked and checked only when it returns true); a required field must not.
 */
export type Declaration<K extends AnswerName> = SpecFields<K> &
  (K extends OptionalAnswer ? { requiredWhen: (answers: Partial<Answers>) => boolean } : { requiredWhen?: never });

/** Every answer declared, and only those: a field of `Answers` without a declaration does not compile. */
export type Declarations = { [K in AnswerName]-?: Declaration<K> };

export type AnswerSpec = { [K in AnswerName]-?: Declaration<K> & { name: K } }[AnswerName];

/** The folder's name as a project name, when it is one (`my-emr`), else undefined (`My EMR`, `tmp.x1Y`). */
export function projectNameFromFolder(folder: string): string | undefined {
  const name = basename(folder);
  return v.projectName(name) === undefined ? name : undefined;
}

/** The region the AWS CLI would use, from the environment, when it is a valid region. */
export function regionFromEnvironment(env: Record<string, string | undefined>): string | undefined {
  for (const value of [env.AWS_REGION, env.AWS_DEFAULT_REGION])
    if (value !== undefined && value !== '' && v.region(value) === undefined) return value;
  return undefined;
}

const cidrSchema = { pattern: '^\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}$' };

export const DECLARATIONS: Declarations = {
  projectName: {
    kind: 'string',
    default: () => projectNameFromFolder(process.cwd()) ?? 'secure-emr',
    defaultText: "this folder's name when it is a valid project name, else secure-emr",
    message: 'Project name (names stacks, roles and keys)',
    description: 'Short name used as the prefix of stacks, roles, keys and the cluster.',
    check: v.projectName,
    schema: { pattern: '^[a-z][a-z0-9-]{1,30}[a-z0-9]$' },
  },
  region: {
    kind: 'string',
    default: () => regionFromEnvironment(process.env) ?? 'us-east-1',
    defaultText: 'AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1',
    message: 'AWS region',
    description: 'Region of every resource; it also decides the certificate names.',
    check: v.region,
  },
  accountId: {
    kind: 'string',
    message: 'AWS account id (12 digits)',
    description: 'Account the project deploys to; looked up with STS GetCallerIdentity when credentials exist.',
    check: v.accountId,
    schema: { pattern: '^\\d{12}$' },
  },
  bucketName: {
    kind: 'string',
    default: (a) =>
      a.projectName && a.accountId && a.region ? `${a.projectName}-${a.accountId}-${a.region}` : undefined,
    message: 'S3 bucket for certificates, jobs, data and logs',
    description: 'Project bucket: certificates zip, jobs, sample data, job output and cluster logs.',
    check: v.bucketName,
    schema: { minLength: 3, maxLength: 63 },
  },
  s3KeyAlias: {
    kind: 'string',
    default: (a) => (a.projectName ? `alias/${a.projectName}-s3` : undefined),
    message: 'KMS alias of the S3 (EMRFS) key',
    description: 'Alias of the KMS key that encrypts EMRFS data in S3.',
    check: v.kmsAlias,
    schema: { pattern: '^alias/[A-Za-z0-9/_-]+$' },
  },
  diskKeyAlias: {
    kind: 'string',
    default: (a) => (a.projectName ? `alias/${a.projectName}-disk` : undefined),
    message: 'KMS alias of the local-disk (LUKS and EBS) key',
    description: 'Alias of the KMS key that encrypts local disks (LUKS) and EBS volumes.',
    check: v.kmsAlias,
    schema: { pattern: '^alias/[A-Za-z0-9/_-]+$' },
  },
  network: {
    kind: 'choice',
    default: 'new-vpc',
    choices: NETWORK_MODES,
    message: 'Network: a new VPC made here, or your existing VPC',
    description:
      "new-vpc: a VPC, subnets and their routes are made here; existing-vpc: the cluster runs in your VPC's private subnet (vpcId, privateSubnetId) and only its security groups and the chosen endpoints are created there.",
    check: v.oneOf(NETWORK_MODES),
    // Projects made before this answer have a VPC made by the tool.
    savedDefault: 'new-vpc',
  },
  vpcId: {
    kind: 'string',
    message: 'ID of your VPC (vpc-...)',
    description: 'With network existing-vpc: the VPC the cluster runs in (DNS support and hostnames on).',
    check: v.awsId('vpc'),
    requiredWhen: existingVpc,
    refusedWhenUnused: USED_ONLY_IN_EXISTING_VPC,
    schema: { pattern: '^vpc-([0-9a-f]{8}|[0-9a-f]{17})$' },
  },
  privateSubnetId: {
    kind: 'string',
    message: 'ID of the private subnet the cluster runs in (subnet-...)',
    description:
      'With network existing-vpc: a subnet of vpcId with no route to an internet gateway that reaches S3 (NAT route or S3 gateway endpoint, or egress endpoints).',
    check: v.awsId('subnet'),
    requiredWhen: existingVpc,
    refusedWhenUnused: USED_ONLY_IN_EXISTING_VPC,
    schema: { pattern: '^subnet-([0-9a-f]{8}|[0-9a-f]{17})$' },
  },
  access: {
    kind: 'choice',
    default: (a) => (existingVpc(a) ? 'ssm' : 'bastion'),
    defaultText: 'bastion with a new VPC, ssm with an existing one',
    choices: ACCESS_MODES,
    message: 'Access to the cluster: a bastion (SSH), Session Manager (no SSH), or none (your own path)',
    description:
      'bastion: SSH through a bastion in the public subnet (new-vpc only); ssm: Session Manager, no bastion, no key pair, port 22 open nowhere; none: no access path is made, the team brings its own (existing-vpc only).',
    check: v.oneOf(ACCESS_MODES),
    // Projects made before this answer have a bastion; a set naming existing-vpc was made after it (default: ssm).
    savedDefault: (given) => (existingVpc(given) ? undefined : 'bastion'),
  },
  egress: {
    kind: 'choice',
    default: 'nat',
    choices: EGRESS_MODES,
    message: 'Egress of the private subnet: a NAT gateway, or VPC endpoints only (no internet route)',
    description:
      'nat: the private subnet reaches the internet through a NAT gateway; endpoints: no internet route, interface endpoints for every AWS service the cluster calls plus the S3 gateway endpoint (nothing installs from public repositories).',
    check: v.oneOf(EGRESS_MODES),
    // Projects made before this answer have a NAT gateway.
    savedDefault: 'nat',
  },
  vpcCidr: {
    kind: 'string',
    requiredWhen: newVpc,
    default: '10.0.0.0/16',
    message: 'VPC CIDR',
    description: 'IPv4 block of the VPC (/16 to /28).',
    check: v.vpcBlock,
    schema: cidrSchema,
  },
  publicSubnetCidr: {
    kind: 'string',
    default: '10.0.1.0/24',
    message: 'Public subnet CIDR (bastion, NAT gateway)',
    description:
      'Public subnet inside the VPC: bastion and NAT gateway (none with ssm or none access and endpoints egress).',
    check: v.vpcBlock,
    requiredWhen: (a) => newVpc(a) && (bastion(a) || a.egress !== 'endpoints'),
    schema: cidrSchema,
  },
  privateSubnetCidr: {
    kind: 'string',
    default: '10.0.2.0/24',
    message: 'Private subnet CIDR (cluster)',
    description: 'Private subnet inside the VPC where the cluster runs.',
    check: v.vpcBlock,
    requiredWhen: newVpc,
    schema: cidrSchema,
  },
  sshCidr: {
    kind: 'string',
    message: 'CIDR allowed to SSH to the bastion (your office or VPN range)',
    description:
      'The only source allowed to reach the bastion on port 22. No default: a public range wider than /16 needs allowSshFromAnywhere.',
    check: v.anyCidr,
    requiredWhen: bastion,
    schema: cidrSchema,
  },
  allowSshFromAnywhere: {
    kind: 'boolean',
    default: false,
    message: 'Really allow SSH to the bastion from anywhere (0.0.0.0/0)?',
    description:
      'Explicit confirmation needed before sshCidr may be a public range wider than /16 (0.0.0.0/0, 0.0.0.0/1, ...). Not recommended.',
    check: () => undefined,
    requiredWhen: (a) => bastion(a) && a.sshCidr !== undefined && v.sshNeedsConfirmation(a.sshCidr),
  },
  keyPairName: {
    kind: 'string',
    default: (a) => a.projectName,
    message: 'EC2 key pair name (must exist in the region)',
    description: 'Existing EC2 key pair for the bastion and the cluster nodes (not with access ssm).',
    check: v.keyPairName,
    requiredWhen: (a) => a.access !== 'ssm',
  },
  bastionInstanceType: {
    kind: 'string',
    default: 't3.micro',
    message: 'Bastion instance type',
    description:
      'Instance type of the bastion host (Graviton types such as t4g get the arm64 AMI); only with access bastion.',
    check: v.instanceType,
    requiredWhen: bastion,
  },
  releaseLabel: {
    kind: 'string',
    default: 'emr-7.14.0',
    message: 'EMR release label',
    description: 'EMR release: an emr-7.x label (6.x, 8.x and the emr-spark-8 train are refused).',
    check: v.releaseLabel,
    schema: { pattern: '^emr-7\\.\\d+\\.\\d+$' },
  },
  instanceType: {
    kind: 'string',
    default: 'm5.xlarge',
    message: 'Cluster instance type (primary and core)',
    description: 'Instance type of the primary and core nodes.',
    check: v.instanceType,
  },
  coreInstanceCount: {
    kind: 'integer',
    default: 2,
    message: 'Number of core nodes',
    description: 'Core nodes (1 to 50).',
    check: v.integerIn(1, 50),
    schema: { minimum: 1, maximum: 50 },
  },
  idleTimeoutMinutes: {
    kind: 'integer',
    default: 60,
    message: 'Terminate the cluster after this many idle minutes',
    description: 'Idle auto-termination (1 minute to 7 days).',
    check: v.integerIn(1, 10080),
    schema: { minimum: 1, maximum: 10080 },
  },
  s3EncryptionMode: {
    kind: 'choice',
    default: 'CSE-KMS',
    choices: S3_ENCRYPTION_MODES,
    message: 'EMRFS S3 encryption mode',
    description: 'EMRFS encryption of data in S3 (CSE-KMS as in the article).',
    check: v.oneOf(S3_ENCRYPTION_MODES),
  },
  iamRoles: {
    kind: 'choice',
    default: 'project',
    choices: IAM_ROLE_MODES,
    message: 'IAM roles: project-scoped (recommended) or the EMR default roles',
    description:
      'project: roles scoped to this bucket and keys; emr-defaults: EMR_DefaultRole and EMR_EC2_DefaultRole from `aws emr create-default-roles`, which must exist. With emr-defaults the nodes run on the deprecated AmazonElasticMapReduceforEC2Role, which allows s3:* on every bucket.',
    check: v.oneOf(IAM_ROLE_MODES),
  },
  certificateSource: {
    kind: 'choice',
    default: 'self-signed',
    choices: CERTIFICATE_SOURCES,
    message: 'TLS certificates: a private CA made here, your CA-issued PEM files, or EMR-managed',
    description:
      'Where the TLS certificates come from: self-signed (a private CA made here), pem-files (your CA-issued files) or emr-managed.',
    check: v.oneOf(CERTIFICATE_SOURCES),
    // Projects made before this answer have a self-signed set in certs/.
    savedDefault: 'self-signed',
  },
  certPrivateKey: {
    kind: 'string',
    message: "Path of the leaf's private key (PEM, unencrypted)",
    description: 'With certificateSource pem-files: the private key of the certificate (PEM, unencrypted RSA).',
    check: pemPath,
    requiredWhen: pemFiles,
  },
  certChain: {
    kind: 'string',
    message: 'Path of the certificate chain (PEM: the certificate, then its intermediates)',
    description:
      "With certificateSource pem-files: the node certificate followed by its intermediate CA certificates (PEM); it must cover the region's node names.",
    check: pemPath,
    requiredWhen: pemFiles,
  },
  certTrustedCertificates: {
    kind: 'string',
    message: 'Path of the trusted CA certificates (PEM)',
    description: "With certificateSource pem-files: the CA certificates nodes trust (your CA's root, PEM).",
    check: pemPath,
    requiredWhen: pemFiles,
  },
  certCountry: {
    kind: 'string',
    default: 'US',
    message: 'Certificate country (C, two letters)',
    description: 'Certificate subject C.',
    check: v.countryCode,
    schema: { pattern: '^[A-Z]{2}$' },
  },
  certState: {
    kind: 'string',
    default: 'Washington',
    message: 'Certificate state or province (ST)',
    description: 'Certificate subject ST.',
    check: v.subjectField(128),
  },
  certLocality: {
    kind: 'string',
    default: 'Seattle',
    message: 'Certificate locality (L)',
    description: 'Certificate subject L.',
    check: v.subjectField(128),
  },
  certOrganization: {
    kind: 'string',
    default: 'Example Corp',
    message: 'Certificate organization (O)',
    description: 'Certificate subject O.',
    check: v.subjectField(64),
  },
  certOrganizationalUnit: {
    kind: 'string',
    default: 'Data Platform',
    message: 'Certificate organizational unit (OU)',
    description: 'Certificate subject OU.',
    check: v.subjectField(64),
  },
  certValidityDays: {
    kind: 'integer',
    default: 365,
    message: 'Certificate validity in days',
    description: 'Validity of the self-signed certificate (1 to 825 days).',
    check: v.integerIn(1, 825),
    schema: { minimum: 1, maximum: 825 },
  },
  certKeySize: {
    kind: 'choice',
    default: 2048,
    choices: CERT_KEY_SIZES,
    message: 'RSA key size',
    description: 'RSA key size in bits.',
    check: v.oneOf(CERT_KEY_SIZES),
  },
};

/** The declarations in order, each with its name. */
export const ANSWER_SPECS: readonly AnswerSpec[] = (Object.keys(DECLARATIONS) as AnswerName[]).map(
  (name) => ({ name, ...DECLARATIONS[name] }) as AnswerSpec,
);

/** Whether an answer is needed given the others (always, unless its declaration says `requiredWhen`). */
export function isRequired(spec: AnswerSpec, answers: Partial<Answers>): boolean {
  const when = spec.requiredWhen as ((answers: Partial<Answers>) => boolean) | undefined;
  return when === undefined || when(answers);
}

/** `coreInstanceCount` -> `core-instance-count`. */
export function optionName(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export function defaultFor(spec: AnswerSpec, earlier: Partial<Answers>): unknown {
  const d: unknown = spec.default;
  return typeof d === 'function' ? (d as (e: Partial<Answers>) => unknown)(earlier) : d;
}

export interface Problem {
  field: string;
  message: string;
}

/**
 * Rules that relate several answers. Each reports against the field the user should change. A rule whose
 * answers are not all known yet (a prompt in progress) is skipped, so the prompts can check each answer
 * against the earlier ones (`crossFieldProblemsOf`).
 */
export function crossFieldProblems(a: Partial<Answers>): Problem[] {
  const problems: Problem[] = [];
  const cidr = (text: string | undefined): v.Cidr | undefined => {
    if (text === undefined) return undefined;
    const parsed = v.parseCidr(text);
    return typeof parsed === 'string' ? undefined : parsed;
  };
  const vpc = cidr(a.vpcCidr);
  const pub = cidr(a.publicSubnetCidr);
  const priv = cidr(a.privateSubnetCidr);
  if (vpc && pub && !v.cidrContains(vpc, pub)) {
    problems.push({
      field: 'publicSubnetCidr',
      message: `"${a.publicSubnetCidr}" is not inside vpcCidr ${a.vpcCidr}; choose a block inside the VPC`,
    });
  }
  if (vpc && priv && !v.cidrContains(vpc, priv)) {
    problems.push({
      field: 'privateSubnetCidr',
      message: `"${a.privateSubnetCidr}" is not inside vpcCidr ${a.vpcCidr}; choose a block inside the VPC`,
    });
  }
  if (pub && priv && v.cidrsOverlap(pub, priv)) {
    problems.push({
      field: 'privateSubnetCidr',
      message: `"${a.privateSubnetCidr}" overlaps publicSubnetCidr ${a.publicSubnetCidr}; the subnets must not overlap`,
    });
  }
  if (a.network === 'existing-vpc' && a.access === 'bastion') {
    problems.push({
      field: 'access',
      message:
        "bastion is not made in an existing VPC (the tool creates no public subnet, internet gateway or instance in a team's VPC); choose ssm (Session Manager) or none (your own path)",
    });
  }
  if (a.network === 'new-vpc' && a.access === 'none') {
    problems.push({
      field: 'access',
      message:
        'none leaves a new VPC with no way in (nothing else reaches its private subnet); choose bastion or ssm, or use network existing-vpc with your own path',
    });
  }
  if (a.access === 'ssm' && a.iamRoles === 'emr-defaults') {
    problems.push({
      field: 'access',
      message:
        'ssm needs Session Manager permissions on the nodes, which the EMR default instance role (EMR_EC2_DefaultRole) does not have and this tool does not change; use iamRoles project, or access bastion or none',
    });
  }
  if (a.s3KeyAlias !== undefined && a.s3KeyAlias === a.diskKeyAlias) {
    problems.push({
      field: 'diskKeyAlias',
      message: `"${a.diskKeyAlias}" is the same as s3KeyAlias; the two keys need different aliases`,
    });
  }
  if (a.sshCidr !== undefined && v.sshNeedsConfirmation(a.sshCidr) && a.allowSshFromAnywhere !== true) {
    problems.push({
      field: 'sshCidr',
      message: `"${a.sshCidr}" opens SSH to a wide range of the internet; give your own range (a /16 or narrower), or confirm with --allow-ssh-from-anywhere`,
    });
  }
  return problems;
}

/**
 * The cross-field problems an answer brings, given the earlier ones: those that appear when it is added. While
 * the answers are incomplete (`pending`), the SSH rule waits for its confirmation, which is asked right after.
 */
export function crossFieldProblemsOf(name: AnswerName, answers: Partial<Answers>, pending = true): Problem[] {
  const without: Partial<Answers> = { ...answers };
  delete without[name];
  const check = (a: Partial<Answers>): Problem[] =>
    crossFieldProblems(a).filter((p) => !(pending && p.field === 'sshCidr' && a.allowSshFromAnywhere === undefined));
  const before = new Set(check(without).map((p) => `${p.field}\n${p.message}`));
  return check(answers).filter((p) => !before.has(`${p.field}\n${p.message}`));
}
