/**
 * Everything the templates need that follows from the answers: computed here, in TypeScript, so templates
 * only place values and tests can check the computation directly.
 */
import type { Answers } from './answers.js';
import { certificateDnsNames, emrOwnedBuckets, nodeDomain, partitionOf } from './regions.js';

/** Generator state kept in .yo-rc.json beside the answers. Never key material. */
export interface State {
  /** Bumped by `:certs --rotate`; names the certificate zip's S3 key and so the security configuration. */
  certificateVersion: number;
}

export const INITIAL_STATE: State = { certificateVersion: 1 };

export interface Model {
  answers: Answers;
  state: State;
  partition: string;
  nodeDomain: string;
  certificateDnsNames: string[];
  emrOwnedBuckets: string[];
  stacks: { iam: string; kms: string; environment: string };
  roles: { service: string; instance: string; instanceProfile: string };
  certsS3Key: string;
  certsS3Uri: string;
  clusterName: string;
  /** A sample private address in the private subnet, for docs and the TLS check. */
  sampleNodeHost: string;
}

export function buildModel(answers: Answers, state: State): Model {
  const p = answers.projectName;
  const certsS3Key = `certs/v${state.certificateVersion}/certs.zip`;
  const roles =
    answers.iamRoles === 'emr-defaults'
      ? { service: 'EMR_DefaultRole_V2', instance: 'EMR_EC2_DefaultRole', instanceProfile: 'EMR_EC2_DefaultRole' }
      : { service: `${p}-emr-service`, instance: `${p}-emr-ec2`, instanceProfile: `${p}-emr-ec2` };
  const [a = 10, b = 0, c = 2] = answers.privateSubnetCidr.split('/')[0]!.split('.').map(Number);
  return {
    answers,
    state,
    partition: partitionOf(answers.region) ?? 'aws',
    nodeDomain: nodeDomain(answers.region),
    certificateDnsNames: certificateDnsNames(answers.region),
    emrOwnedBuckets: emrOwnedBuckets(answers.region),
    stacks: { iam: `${p}-iam`, kms: `${p}-kms`, environment: `${p}-environment` },
    roles,
    certsS3Key,
    certsS3Uri: `s3://${answers.bucketName}/${certsS3Key}`,
    clusterName: `${p}-cluster`,
    sampleNodeHost: `ip-${a}-${b}-${c}-15.${nodeDomain(answers.region)}`,
  };
}
