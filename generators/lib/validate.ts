/**
 * Pure validators: each takes a value and returns undefined when it is valid, or a sentence saying what
 * would be valid. No I/O. The field name and the offending value are added by the caller (answers.ts).
 */
import { partitionOf } from './regions.js';

export type Check<T> = (value: T) => string | undefined;

export interface Cidr {
  /** Network address as an unsigned 32-bit integer. */
  readonly base: number;
  readonly prefix: number;
  readonly text: string;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** Parses `a.b.c.d/n` with the host bits zero; returns a reason string when it is not one. */
export function parseCidr(text: string): Cidr | string {
  const match = /^([0-9.]+)\/(\d{1,2})$/.exec(text);
  if (!match) return 'expected an IPv4 CIDR such as 10.0.0.0/16';
  const base = parseIpv4(match[1] ?? '');
  const prefix = Number(match[2]);
  if (base === undefined) return 'the address part is not a valid IPv4 address';
  if (prefix > 32) return 'the prefix length must be 0 to 32';
  const size = 2 ** (32 - prefix);
  if (base % size !== 0) {
    return `host bits are set; the network is ${formatIpv4(base - (base % size))}/${prefix}`;
  }
  return { base, prefix, text };
}

export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return inner.base >= outer.base && inner.base + cidrSize(inner) <= outer.base + cidrSize(outer);
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + cidrSize(b) && b.base < a.base + cidrSize(a);
}

/** A VPC or subnet block: AWS allows prefixes /16 to /28. */
export const vpcBlock: Check<string> = (value) => {
  const cidr = parseCidr(value);
  if (typeof cidr === 'string') return cidr;
  if (cidr.prefix < 16 || cidr.prefix > 28) return 'AWS allows VPC and subnet blocks from /16 to /28';
  return undefined;
};

export const anyCidr: Check<string> = (value) => {
  const cidr = parseCidr(value);
  return typeof cidr === 'string' ? cidr : undefined;
};

/** Private and shared address space (RFC 1918, RFC 6598, loopback): ranges there reach no one on the internet. */
const NON_PUBLIC = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '127.0.0.0/8'].map(
  (text) => parseCidr(text) as Cidr,
);

/**
 * An SSH source that needs the explicit confirmation (allowSshFromAnywhere): wider than a /16 and reaching
 * public address space (0.0.0.0/1 opens SSH to half the internet just as surely as 0.0.0.0/0 to all of it).
 */
export function sshNeedsConfirmation(cidrText: string): boolean {
  const cidr = parseCidr(cidrText);
  if (typeof cidr === 'string' || cidr.prefix >= 16) return false;
  return !NON_PUBLIC.some((range) => cidrContains(range, cidr));
}

export const region: Check<string> = (value) => {
  const partition = partitionOf(value);
  if (partition === undefined) return 'expected an AWS region code such as us-east-1 or eu-west-1';
  if (partition !== 'aws') {
    return `${value} is in the ${partition} partition, which this generator does not support yet (EMR node DNS names there are unverified); choose a region of the aws partition`;
  }
  return undefined;
};

export const accountId: Check<string> = (value) =>
  /^\d{12}$/.test(value) ? undefined : 'expected exactly 12 digits, such as 123456789012';

export const bucketName: Check<string> = (value) => {
  if (value.length < 3 || value.length > 63) return 'S3 bucket names are 3 to 63 characters long';
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(value)) {
    return 'S3 bucket names use lowercase letters, digits, dots and hyphens, and begin and end with a letter or digit';
  }
  if (value.includes('..')) return 'S3 bucket names must not contain two adjacent dots';
  if (parseIpv4(value) !== undefined) return 'S3 bucket names must not look like an IP address';
  if (value.startsWith('xn--') || value.startsWith('sthree-'))
    return 'S3 bucket names must not begin with xn-- or sthree-';
  if (value.endsWith('-s3alias') || value.endsWith('--ol-s3') || value.endsWith('--x-s3')) {
    return 'S3 bucket names must not end with -s3alias, --ol-s3 or --x-s3';
  }
  return undefined;
};

export const kmsAlias: Check<string> = (value) => {
  if (!value.startsWith('alias/')) return 'KMS aliases begin with alias/, such as alias/secure-emr-s3';
  if (value.startsWith('alias/aws/')) return 'the alias/aws/ prefix is reserved for AWS managed keys';
  if (!/^alias\/[A-Za-z0-9/_-]+$/.test(value)) return 'after alias/ use only letters, digits, /, _ and -';
  if (value.length > 256) return 'KMS aliases are at most 256 characters';
  return undefined;
};

export const projectName: Check<string> = (value) =>
  /^[a-z][a-z0-9-]{1,30}[a-z0-9]$/.test(value)
    ? undefined
    : 'use 3 to 32 lowercase letters, digits and hyphens, starting with a letter (it names stacks, roles and keys)';

/**
 * EC2 allows any printable ASCII in key pair names, but the name lands in CLI shorthand (`--ec2-attributes
 * KeyName=...`), shell commands to copy and paste, Markdown and a file name: only a charset safe in all of them
 * is accepted.
 */
export const keyPairName: Check<string> = (value) =>
  /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/.test(value)
    ? undefined
    : 'use 1 to 255 letters, digits, dots, underscores and hyphens, starting with a letter or digit (the name is used in shell commands and CLI arguments); rename the key pair or import it under such a name';

export const instanceType: Check<string> = (value) =>
  /^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(value) ? undefined : 'expected an EC2 instance type such as m5.xlarge';

/**
 * The release line the emitted repository is right for: emr-7.x. Its endpoint policy names the 7.x package
 * repositories (private-subnet-iampolicy: AL2023 repo from 7.0.0; 8.0.0 and emr-spark-8 also need the
 * aws157-instance-data buckets), its security groups use the 7.x service-access ports (8443/9443, no longer
 * used from emr-spark-8.0.0) and its jobs need Hive and EMRFS, which emr-spark-8 does not ship
 * (emr-spark800-release). Other lines are refused until they are supported.
 */
export const SUPPORTED_RELEASE_MAJOR = 7;

export const releaseLabel: Check<string> = (value) => {
  if (/^emr-spark-/.test(value)) {
    return 'the emr-spark release train has no Hive and no EMRFS, and its nodes need endpoints and buckets this project does not open; use an emr-7.x label such as emr-7.14.0 (aws emr list-release-labels --filters Prefix=emr-7)';
  }
  const match = /^emr-(\d+)\.(\d+)\.(\d+)$/.exec(value);
  if (!match) return 'expected emr-<major>.<minor>.<patch>, such as emr-7.14.0';
  const major = Number(match[1]);
  if (major !== SUPPORTED_RELEASE_MAJOR) {
    return `only the emr-${SUPPORTED_RELEASE_MAJOR}.x line is supported (its package repositories, service ports and S3 connector are what this project configures); use a label such as emr-7.14.0 (aws emr list-release-labels --filters Prefix=emr-7)`;
  }
  return undefined;
};

export function integerIn(min: number, max: number): Check<number> {
  return (value) =>
    Number.isInteger(value) && value >= min && value <= max
      ? undefined
      : `expected a whole number from ${min} to ${max}`;
}

export function oneOf<T extends string | number>(allowed: readonly T[]): Check<T> {
  return (value) => (allowed.includes(value) ? undefined : `expected one of ${allowed.join(', ')}`);
}

export const countryCode: Check<string> = (value) =>
  /^[A-Z]{2}$/.test(value) ? undefined : 'expected a two-letter ISO 3166 country code in capitals, such as US or DE';

/**
 * Certificate subject fields: X.509 PrintableString (letters, digits, space and ' ( ) + , - . / : = ?). The OpenSSL
 * script escapes / + = for -subj (model.ts, opensslSubject); every other output places them in its own quoting.
 */
export function subjectField(maxLength: number): Check<string> {
  return (value) => {
    if (value.length < 1 || value.length > maxLength) return `expected 1 to ${maxLength} characters`;
    if (!/^[A-Za-z0-9 '()+,\-./:=?]+$/.test(value)) {
      return "use letters, digits, spaces and ' ( ) + , - . / : = ? only (X.509 PrintableString)";
    }
    return undefined;
  };
}

/** An EC2 resource id: `vpc-` or `subnet-` and 8 or 17 lowercase hex digits. */
export function awsId(prefix: 'vpc' | 'subnet'): Check<string> {
  const re = new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`);
  return (value) =>
    re.test(value)
      ? undefined
      : `expected a ${prefix} id: ${prefix}- and 8 or 17 lowercase hex digits (${prefix}-0abc1234...)`;
}
