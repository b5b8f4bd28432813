/**
 * Issue 15: the network and access combinations the tests cover, as answers over the defaults (with sshCidr where
 * a bastion needs it). The VPC and subnet ids of existing-vpc are placeholders; test/network-modes.test.ts makes
 * real ones on moto and generates with those.
 */
import { optionName } from '../../generators/lib/answers.js';
import type { Answers } from '../../generators/lib/answers.js';

export const EXAMPLE_VPC_ID = 'vpc-0123456789abcdef0';
export const EXAMPLE_SUBNET_ID = 'subnet-0123456789abcdef0';

export type ModeAnswers = Partial<Answers>;

const existing = (vpcId: string, privateSubnetId: string): ModeAnswers => ({
  network: 'existing-vpc',
  vpcId,
  privateSubnetId,
});

export const NETWORK_MODES: Record<string, (vpcId?: string, subnetId?: string) => ModeAnswers> = {
  'new-vpc + bastion + nat (default)': () => ({}),
  'new-vpc + ssm + nat': () => ({ access: 'ssm' }),
  'new-vpc + ssm + endpoints': () => ({ access: 'ssm', egress: 'endpoints' }),
  'new-vpc + bastion + endpoints': () => ({ egress: 'endpoints' }),
  'existing-vpc + ssm + nat': (vpc = EXAMPLE_VPC_ID, subnet = EXAMPLE_SUBNET_ID) => ({
    ...existing(vpc, subnet),
    access: 'ssm',
  }),
  'existing-vpc + none + endpoints': (vpc = EXAMPLE_VPC_ID, subnet = EXAMPLE_SUBNET_ID) => ({
    ...existing(vpc, subnet),
    access: 'none',
    egress: 'endpoints',
  }),
};

/** The answers as secure-emr flags: `{access: 'ssm'}` -> `--access ssm`. */
export function flags(answers: ModeAnswers): string[] {
  return Object.entries(answers).flatMap(([name, value]) => [`--${optionName(name)}`, String(value)]);
}
