/**
 * THE reviewed exceptions to the AWS Control Tower proactive controls (CT.*.PR.*, run with cfn-guard): every
 * finding the emitted templates may have, each with the reason it is accepted. test/guard.test.ts fails on any
 * other finding and on an exception that no longer matches one; `make posture` in the emitted repository reads
 * the same list from scripts/guard-exceptions.json. Change this list only with a reason a reviewer can check.
 */
import type { Model } from './model.js';

/** The npm package with cfn-guard and the Control Tower rules that the tests use and `make posture` suggests. */
export const GUARD_PACKAGE = { name: '@cdklabs/cdk-validator-cfnguard', version: '0.0.62' } as const;

export interface GuardException {
  /** The file the finding is in, relative to the emitted repository. */
  template: string;
  /** The Control Tower control id, e.g. CT.EC2.PR.8. */
  rule: string;
  /** The logical id of the resource. */
  resource: string;
  reason: string;
}

interface Reviewed extends GuardException {
  /** When the finding exists (default: for every project). */
  appliesTo?: (m: Model) => boolean;
}

/** Burstable types (t2, t3, t3a, t4g) are not in CT.EC2.PR.19's list of Nitro types with in-transit encryption. */
const burstableBastion = (m: Model): boolean => m.network.bastion && /^t\d/.test(m.answers.bastionInstanceType ?? '');

const REVIEWED: readonly Reviewed[] = [
  {
    template: 'cfn/environment.json',
    rule: 'CT.EC2.PR.8',
    resource: 'Bastion',
    reason:
      'The bastion is the one public address of the project by design: SSH from sshCidr only (its security group), key pair authentication, IMDSv2. The cluster stays in the private subnet.',
    appliesTo: (m) => m.network.bastion,
  },
  {
    template: 'cfn/environment.json',
    rule: 'CT.EC2.PR.19',
    resource: 'Bastion',
    reason:
      "The bastion only relays SSH, which is encrypted end to end; Nitro's in-transit encryption between instances adds nothing, and the small burstable types a bastion needs are not in the control's list.",
    appliesTo: burstableBastion,
  },
  {
    template: 'emr/security-configuration.json',
    rule: 'CT.EMR.PR.2',
    resource: 'SecurityConfiguration',
    reason:
      'Only with the answer s3EncryptionMode SSE-S3, chosen over the CSE-KMS default: EMRFS then writes with S3-managed keys, not a KMS key. The README states the mode and its key.',
    appliesTo: (m) => m.answers.s3EncryptionMode === 'SSE-S3',
  },
];

/** The exceptions that apply to a project's templates. */
export function guardExceptions(m: Model): GuardException[] {
  return REVIEWED.filter((e) => e.appliesTo?.(m) ?? true).map(({ template, rule, resource, reason }) => ({
    template,
    rule,
    resource,
    reason,
  }));
}
