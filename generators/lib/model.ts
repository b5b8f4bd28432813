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

/** The tag key of clusters deploy.sh launched; its value is the project's bucket (unique to the deployment). */
export const LAUNCH_TAG_KEY = 'secure-emr:bucket';

/**
 * EMR-managed certificates: how long the CA and certificates EMR makes are valid, from the security
 * configuration's creation (`ValidityInDays`; EMR's own default is 20 years). One year keeps the CA short-lived
 * and the recreation a yearly routine.
 */
export const EMR_MANAGED_VALIDITY_DAYS = 365;

/**
 * The tag AmazonEMRServicePolicy_v2 keys its EC2 permissions on. With it a resource may be modified, have its
 * security group rules changed or be terminated by the EMR service role, so only what EMR uses carries it: the
 * VPC, the private subnet and the EMR security groups (never the bastion, its group, NAT, IGW, EIP, route tables).
 */
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

/**
 * Web UIs on the primary node that ssh-commands.txt forwards, with the scheme they answer on when in-transit
 * encryption is on. The Spark History Server serves TLS on spark.ssl.history.port 18480, not 18080 ("Understanding
 * in-transit encryption", emr-encryption-support-matrix, Spark: "Spark History Server | spark.ssl.history.port |
 * 18480 | TLS | emr-7.0.0+"). The other three are forwarded on their default ports (emr-web-interfaces); whether
 * a release moves one of them to HTTPS is to be checked against that matrix (not verified here).
 */
export const WEB_UIS: ReadonlyArray<{ port: number; name: string; scheme: 'http' | 'https' }> = [
  { port: 8088, name: 'YARN ResourceManager', scheme: 'http' },
  { port: 18480, name: 'Spark history server', scheme: 'https' },
  { port: 10002, name: 'HiveServer2 UI', scheme: 'http' },
  { port: 20888, name: 'YARN proxy (Spark UI)', scheme: 'http' },
];

/**
 * Graviton (arm64) instance types: a family whose attribute letters after the generation digit include `g`
 * (t4g, m6gd, c7gn, r8g, g5g, im4gn, hpc7g); x86 families such as g4dn or m7i-flex do not match.
 */
export function isGravitonInstanceType(instanceType: string): boolean {
  return /^[a-z]+\d+[a-z]*g[a-z]*\./.test(instanceType);
}

/** The SSM public parameter of the Amazon Linux 2023 AMI for an instance type's architecture. */
export function al2023AmiParameter(instanceType: string): string {
  const arch = isGravitonInstanceType(instanceType) ? 'arm64' : 'x86_64';
  return `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${arch}`;
}

/**
 * An interface endpoint of a private subnet without an internet route (egress endpoints): the service's short name
 * (`com.amazonaws.<region>.<service>`) and who calls it. "emr-clusters-in-a-vpc": "To access AWS services that do
 * not provide a VPC endpoint, you still must use a NAT instance or an internet gateway", so every service the
 * nodes call has one here.
 */
export interface InterfaceEndpoint {
  logicalId: string;
  service: string;
  purpose: string;
}

/** The interface endpoints the answers need (empty with egress nat). */
export function interfaceEndpoints(a: Answers): InterfaceEndpoint[] {
  if (a.egress !== 'endpoints') return [];
  const list: InterfaceEndpoint[] = [
    { logicalId: 'EmrEndpoint', service: 'elasticmapreduce', purpose: 'the nodes report to the EMR service' },
    { logicalId: 'StsEndpoint', service: 'sts', purpose: 'the nodes assume roles and read their identity' },
    { logicalId: 'KmsEndpoint', service: 'kms', purpose: 'CSE-KMS, SSE-KMS and the local-disk key' },
    { logicalId: 'LogsEndpoint', service: 'logs', purpose: 'CloudWatch Logs' },
  ];
  if (a.access === 'ssm')
    list.push(
      { logicalId: 'SsmEndpoint', service: 'ssm', purpose: 'Session Manager: the agent registers' },
      { logicalId: 'SsmMessagesEndpoint', service: 'ssmmessages', purpose: 'Session Manager: the session channels' },
      { logicalId: 'Ec2MessagesEndpoint', service: 'ec2messages', purpose: 'Systems Manager agent messages' },
    );
  if (a.certificateSource === 'emr-managed')
    list.push({
      logicalId: 'SecretsManagerEndpoint',
      service: 'secretsmanager',
      purpose: 'EMR-managed certificates: the nodes read the CA from Secrets Manager',
    });
  return list;
}

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
  /** The bucket of persistent application UIs (Spark history off-cluster), which the S3 endpoint must allow. */
  emrAppInfoBucket: string;
  /** The network and access facts every document follows (issue 15: network, access, egress). */
  network: {
    /** A VPC made by the environment stack (new-vpc), or the team's (existing-vpc: vpcId, privateSubnetId). */
    createsVpc: boolean;
    /** A public subnet, internet gateway and public route table: only for a bastion or a NAT gateway. */
    publicSubnet: boolean;
    natGateway: boolean;
    bastion: boolean;
    sessionManager: boolean;
    /** Whether EMR and the bastion get an EC2 key pair (not with access ssm). */
    keyPair: boolean;
    interfaceEndpoints: InterfaceEndpoint[];
    /**
     * The S3 gateway endpoint on the private route table: always with a new VPC; in an existing VPC only with
     * egress endpoints, and then only when the table has none yet (deploy.sh's preflight decides, a parameter).
     */
    s3GatewayEndpoint: 'always' | 'when-missing' | 'never';
  };
  /** The bastion's AMI parameter, by the architecture of its instance type (access bastion only). */
  bastionAmiParameter?: string;
  /** The CloudWatch log group of the VPC flow logs (its key policy names it). */
  flowLogGroupName: string;
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
  /** The tag key deploy.sh marks its clusters with (value: the bucket name); teardown.sh terminates only those. */
  launchTagKey: string;
  /** scripts/lib.sh names each security configuration `<prefix>-v<version>-<hash of the filled document>`. */
  securityConfigurationPrefix: string;
  /** Tags of every resource the project creates, and the project tag alone (stacks, roles, cluster). */
  tags: { project: Tag[]; named: (name: string) => Tag[]; emrManaged: (name: string) => Tag[] };
  /** A sample private address in the private subnet, for docs and the TLS check. */
  sampleNodeHost: string;
  /** The certificate subject (without CN) for `openssl req -subj`, with / + = \ escaped. */
  opensslSubjectBase: string;
  /** Sentences the documents use where an answer changes the wording. */
  wording: {
    iamPiece: string;
    s3DataKey: string;
    inTransit: string;
    certificates: string;
    /** What costs money by the hour while deployed: "The cluster, the NAT gateway and the bastion". */
    costsByTheHour: string;
    /** The same as a short list for the Makefile: "NAT gateway, bastion, EMR cluster". */
    billable: string;
    /** What keeps costing when the cluster has terminated itself: "the NAT gateway, bastion and KMS keys". */
    notSelfTerminating: string;
    /** The README's Network row and Access row. */
    network: string;
    access: string;
    /** The interface endpoints' service names, for the README: "elasticmapreduce, sts, kms, logs". */
    endpointServices: string;
    /** What in a new VPC does not carry the EMR tag: "the bastion, its security group and the NAT gateway". */
    untaggedNetwork: string;
  };
}

function networkWording(a: Answers, endpoints: InterfaceEndpoint[], nat: boolean, bastion: boolean): string {
  const interfaces =
    endpoints.length > 0
      ? `, interface endpoints (${endpoints.map((e) => e.service).join(', ')}; HTTPS from the VPC only)`
      : '';
  if (a.network === 'existing-vpc') {
    const s3 = a.egress === 'endpoints' ? ", the S3 gateway endpoint (unless the subnet's route table has one)" : '';
    return `your VPC \`${a.vpcId ?? ''}\`, private subnet \`${a.privateSubnetId ?? ''}\` (cluster): the EMR security groups${interfaces}${s3}. No VPC, subnet, route, gateway or bastion is created, and nothing of yours is changed`;
  }
  const publicParts = [...(bastion ? ['bastion'] : []), ...(nat ? ['NAT gateway'] : [])];
  const publicSubnet =
    publicParts.length > 0 ? `public subnet \`${a.publicSubnetCidr ?? ''}\` (${publicParts.join(', ')}), ` : '';
  const route = nat ? '' : ' with no internet route';
  return `VPC \`${a.vpcCidr ?? ''}\`, ${publicSubnet}private subnet \`${a.privateSubnetCidr ?? ''}\` (cluster${route}), S3 gateway endpoint${interfaces}, security groups, flow logs (KMS-encrypted with their own key, kept 365 days)`;
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
        // What `aws emr create-default-roles` creates (awscli customizations/emr/constants.py): EMR_DefaultRole on
        // AmazonElasticMapReduceRole and EMR_EC2_DefaultRole on AmazonElasticMapReduceforEC2Role (s3:* on *).
        service: 'EMR_DefaultRole',
        instance: 'EMR_EC2_DefaultRole',
        instanceProfile: 'EMR_EC2_DefaultRole',
        createdByProject: false,
      };
  // A sample node address: in the private subnet when it is made here, else any private address (the certificate
  // covers the region's node names, whatever the address).
  const [a = 10, b = 0, c = 2] = ((answers.privateSubnetCidr ?? '10.0.2.0/24').split('/')[0] ?? '')
    .split('.')
    .map(Number);
  const createsVpc = answers.network === 'new-vpc';
  const bastion = answers.access === 'bastion';
  const natGateway = createsVpc && answers.egress === 'nat';
  const projectTag: Tag = { Key: 'project', Value: p };
  const endpoints = interfaceEndpoints(answers);
  const hourly = [
    ...(natGateway ? ['NAT gateway'] : []),
    ...(answers.egress === 'endpoints' ? ['interface endpoints'] : []),
    ...(bastion ? ['bastion'] : []),
  ];
  const sentence = ['The cluster', ...hourly.map((h) => `the ${h}`)];
  const joinAnd = (items: string[]): string =>
    items.length === 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`;
  return {
    answers,
    state,
    partition: partitionOf(answers.region) ?? 'aws',
    nodeDomain: nodeDomain(answers.region),
    certificateDnsNames: certificateDnsNames(answers.region),
    emrRepositoryBuckets: emrRepositoryBuckets(answers.region),
    emrLogBucket: emrLogBucket(answers.region),
    emrAppInfoBucket: `prod.${answers.region}.appinfo.src`,
    network: {
      createsVpc,
      publicSubnet: createsVpc && (bastion || natGateway),
      natGateway,
      bastion,
      sessionManager: answers.access === 'ssm',
      keyPair: answers.access !== 'ssm',
      interfaceEndpoints: interfaceEndpoints(answers),
      s3GatewayEndpoint: createsVpc ? 'always' : answers.egress === 'endpoints' ? 'when-missing' : 'never',
    },
    ...(answers.bastionInstanceType !== undefined && bastion
      ? { bastionAmiParameter: al2023AmiParameter(answers.bastionInstanceType) }
      : {}),
    flowLogGroupName: `/${p}/vpc-flow-logs`,
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
    launchTagKey: LAUNCH_TAG_KEY,
    securityConfigurationPrefix: p,
    tags: {
      project: [projectTag],
      named: (name) => [{ Key: 'Name', Value: `${p}-${name}` }, projectTag],
      emrManaged: (name) => [{ Key: 'Name', Value: `${p}-${name}` }, projectTag, EMR_MANAGED_TAG],
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
        : `nothing to create: the EMR default roles ${roles.service} and ${roles.instance} from \`aws emr create-default-roles\` are used (they must exist). They run on the deprecated v1 managed policies: the nodes get AmazonElasticMapReduceforEC2Role, which allows s3:* on every bucket`,
      s3DataKey: answers.s3EncryptionMode === 'SSE-S3' ? 'S3-managed keys' : answers.s3KeyAlias,
      inTransit: answers.certificateSource === 'emr-managed' ? 'EMR-managed certificates' : 'PEM certificates',
      certificates:
        answers.certificateSource === 'pem-files'
          ? "your CA's key, certificate chain and trusted certificates"
          : 'a private CA and a TLS key and certificate it signs',
      costsByTheHour: joinAnd(sentence),
      notSelfTerminating: `the ${joinAnd([...hourly, 'KMS keys'])}`,
      billable: [...hourly, 'EMR cluster'].join(', '),
      network: networkWording(answers, endpoints, natGateway, bastion),
      access:
        answers.access === 'bastion'
          ? 'reaching the primary node through the bastion, UIs through port forwarding (no Session Manager: the nodes have no SSM permissions)'
          : answers.access === 'ssm'
            ? 'Session Manager: a shell on the primary node and port forwarding to its UIs (no bastion, no key pair, port 22 open nowhere); `ssm-operator-policy.json` is the least an operator needs'
            : 'no access path is made (access none): your team brings its own; the file says so and names the UIs',
      endpointServices: endpoints.map((e) => e.service).join(', '),
      untaggedNetwork: joinAnd([
        ...(bastion ? ['the bastion', 'its security group'] : []),
        ...(natGateway ? ['the NAT gateway'] : []),
        ...(bastion || natGateway ? ['the public subnet'] : []),
        ...(endpoints.length > 0 ? ['the endpoints'] : []),
      ]),
    },
  };
}
