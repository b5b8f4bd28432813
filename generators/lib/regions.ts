/** AWS regions the generator knows, their partition, and the DNS domain EMR nodes get there. */

export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov';

const COMMERCIAL = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-central-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-south-1',
  'eu-south-2',
  'eu-north-1',
  'il-central-1',
  'me-south-1',
  'me-central-1',
  'mx-central-1',
  'sa-east-1',
] as const;
const CHINA = ['cn-north-1', 'cn-northwest-1'] as const;
const GOVCLOUD = ['us-gov-east-1', 'us-gov-west-1'] as const;

const PARTITION_OF: ReadonlyMap<string, Partition> = new Map<string, Partition>([
  ...COMMERCIAL.map((r): [string, Partition] => [r, 'aws']),
  ...CHINA.map((r): [string, Partition] => [r, 'aws-cn']),
  ...GOVCLOUD.map((r): [string, Partition] => [r, 'aws-us-gov']),
]);

/** Regions a generated project may target: the `aws` partition, where EMR node names are documented. */
export const SUPPORTED_REGIONS: readonly string[] = COMMERCIAL;

export function partitionOf(region: string): Partition | undefined {
  return PARTITION_OF.get(region);
}

/** The private DNS domain of EC2 instances (and so of EMR nodes) in a region's default VPC DHCP options. */
export function nodeDomain(region: string): string {
  return region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`;
}

/** DNS names the cluster certificate must cover: the node wildcard first (it is also the CN). */
export function certificateDnsNames(region: string): string[] {
  const names = [`*.${nodeDomain(region)}`];
  if (region === 'us-east-1') names.push('*.us-east-1.compute.internal');
  return names;
}

/** The bucket EMR writes its own service logs to, which a scoped S3 endpoint policy must allow. */
export function emrLogBucket(region: string): string {
  return region === 'us-east-1' ? 'aws157-logs-prod' : `aws157-logs-prod-${region}`;
}

/** EMR-owned buckets a private-subnet 7.x cluster reads at boot: its package repositories (brief, section 5). */
export function emrRepositoryBuckets(region: string): string[] {
  return [`al2023-repos-${region}-de612dc2`, `repo.${region}.emr.amazonaws.com`];
}
