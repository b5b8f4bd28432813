/** The "Next steps" block a project run ends with, built from the answers. Pure. */
import type { Answers } from './answers.js';

export function nextSteps(
  a: Pick<
    Answers,
    | 'accountId'
    | 'region'
    | 'keyPairName'
    | 'instanceType'
    | 'coreInstanceCount'
    | 'idleTimeoutMinutes'
    | 'access'
    | 'egress'
    | 'network'
  >,
): string[] {
  const pem = `~/.ssh/${a.keyPairName}.pem`;
  const keyPair =
    a.keyPairName === undefined
      ? ['  2. No EC2 key pair is needed: the cluster is reached through Session Manager (ssh-commands.txt).']
      : [
          `  2. If the EC2 key pair "${a.keyPairName}" does not exist in ${a.region} yet, create it:`,
          `     aws ec2 create-key-pair --region ${a.region} --key-name ${a.keyPairName} --query KeyMaterial --output text | (umask 077 && cat > ${pem}) && chmod 400 ${pem}`,
        ];
  const billable = [
    ...(a.network === 'new-vpc' && a.egress === 'nat' ? ['a NAT gateway'] : []),
    ...(a.egress === 'endpoints' ? ['VPC interface endpoints'] : []),
    ...(a.access === 'bastion' ? ['a bastion'] : []),
  ];
  return [
    'Next steps:',
    `  1. Log in to account ${a.accountId}: \`aws sso login\` (or \`aws configure\`), then check with`,
    `     \`aws sts get-caller-identity --query Account --output text\` (it should print ${a.accountId}).`,
    ...keyPair,
    `  3. \`make deploy\` creates the stacks and the cluster. This costs money while it runs: ${[...billable, 'an EMR cluster'].join(', ')}`,
    `     of ${a.coreInstanceCount + 1} ${a.instanceType} nodes (it terminates after ${a.idleTimeoutMinutes} idle minutes).`,
    '  4. `make jobs` runs the test jobs, `make verify` checks the encryption; `make help` lists every target.',
    '  5. `make teardown` when you are done: it terminates the cluster and deletes the stacks (the KMS keys and the',
    '     data in the bucket stay unless you run scripts/teardown.sh --delete-keys --delete-data).',
  ];
}
