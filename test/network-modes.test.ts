/**
 * Issue 15: the network and access combinations, each generated, linted (cfn-lint, shellcheck) and run for real
 * with the AWS CLI against one moto_server: deploy.sh, run-jobs.sh, verify-encryption.sh, teardown.sh. For
 * existing-vpc the test first makes the team's VPC and private subnet on moto as a team would have them, and shows
 * the preflight refusing a subnet with an internet route (and a VPC without DNS hostnames), creating nothing.
 * Where moto lacks a behaviour (Session Manager sessions, jobs that run) the test says so and checks what it can.
 * The guard and IAM-simulator checks of these combinations are in guard.test.ts and iam-simulate.test.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  aws,
  cfnLintFindings,
  generateProject,
  run,
  securityConfiguration,
  startMoto,
  terminateClusterInstances,
} from './support/helpers.js';
import type { Moto } from './support/helpers.js';
import { CT_RULES_DIR, guardBinary } from './support/guard.js';
import { NETWORK_MODES, flags } from './support/network-modes.js';

const EMR_TAG = 'Key=for-use-with-amazon-emr-managed-policies,Value=true';
const EMR_MANAGED_COMBINATION = 'new-vpc + ssm + endpoints';

type Resource = { Type: string; Properties: Record<string, unknown> };

function emittedFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? emittedFiles(p) : [p];
  });
}

/** Ingress rules (inline or separate) of a template that admit TCP 22. */
function port22Rules(resources: Record<string, Resource>): string[] {
  const admits = (rule: Record<string, unknown>): boolean =>
    rule.IpProtocol === '-1' || (Number(rule.FromPort) <= 22 && Number(rule.ToPort) >= 22);
  return Object.entries(resources).flatMap(([id, r]) => {
    if (r.Type === 'AWS::EC2::SecurityGroupIngress') return admits(r.Properties) ? [id] : [];
    if (r.Type !== 'AWS::EC2::SecurityGroup') return [];
    const rules = (r.Properties.SecurityGroupIngress ?? []) as Array<Record<string, unknown>>;
    return rules.some(admits) ? [id] : [];
  });
}

describe('network and access modes, end to end on moto_server', () => {
  let moto: Moto;
  const q = (args: string[]): string => aws(moto, args);
  const script = (dir: string, name: string, args: string[] = []) =>
    run('bash', [join(dir, 'scripts', name), ...args], { cwd: dir, env: moto.env() });
  /** The team's VPC as a team would have it: DNS support and hostnames on, tagged for EMR's managed policy. */
  let team: {
    vpc: string;
    subnetWithEndpoint: string;
    subnetOnMainTable: string;
    subnetOwnTable: string;
    table: string;
  };

  before(async () => {
    moto = await startMoto();
    const vpc = q(['ec2', 'create-vpc', '--cidr-block', '10.20.0.0/16', '--query', 'Vpc.VpcId', '--output', 'text']);
    q(['ec2', 'modify-vpc-attribute', '--vpc-id', vpc, '--enable-dns-hostnames', 'Value=true']);
    const subnet = (cidr: string) =>
      q([
        'ec2',
        'create-subnet',
        '--vpc-id',
        vpc,
        '--cidr-block',
        cidr,
        '--query',
        'Subnet.SubnetId',
        '--output',
        'text',
      ]);
    const subnetWithEndpoint = subnet('10.20.1.0/24');
    // A second subnet with no route table of its own: it uses the VPC's main table, which has no S3 endpoint.
    const subnetOnMainTable = subnet('10.20.2.0/24');
    // A third subnet with a route table of its own and no S3 endpoint: the stack may add one there.
    const subnetOwnTable = subnet('10.20.3.0/24');
    q([
      'ec2',
      'create-tags',
      '--resources',
      vpc,
      subnetWithEndpoint,
      subnetOnMainTable,
      subnetOwnTable,
      '--tags',
      EMR_TAG,
    ]);
    /** A route table of the subnet's own (not the VPC's main one); returns its id. */
    const routeTableOf = (subnet: string): string => {
      const id = q([
        'ec2',
        'create-route-table',
        '--vpc-id',
        vpc,
        '--query',
        'RouteTable.RouteTableId',
        '--output',
        'text',
      ]);
      q(['ec2', 'associate-route-table', '--route-table-id', id, '--subnet-id', subnet]);
      return id;
    };
    routeTableOf(subnetOwnTable);
    const table = routeTableOf(subnetWithEndpoint);
    q([
      'ec2',
      'create-vpc-endpoint',
      '--vpc-id',
      vpc,
      '--vpc-endpoint-type',
      'Gateway',
      '--service-name',
      'com.amazonaws.us-east-1.s3',
      '--route-table-ids',
      table,
    ]);
    team = { vpc, subnetWithEndpoint, subnetOnMainTable, subnetOwnTable, table };
  });
  after(() => moto?.stop());

  it('existing-vpc preflight: a subnet with an internet gateway route and a VPC without DNS hostnames are refused, each with its fix; nothing is created', () => {
    const vpc = q(['ec2', 'create-vpc', '--cidr-block', '10.30.0.0/16', '--query', 'Vpc.VpcId', '--output', 'text']);
    const subnet = q([
      'ec2',
      'create-subnet',
      '--vpc-id',
      vpc,
      '--cidr-block',
      '10.30.1.0/24',
      '--query',
      'Subnet.SubnetId',
      '--output',
      'text',
    ]);
    const igw = q([
      'ec2',
      'create-internet-gateway',
      '--query',
      'InternetGateway.InternetGatewayId',
      '--output',
      'text',
    ]);
    q(['ec2', 'attach-internet-gateway', '--internet-gateway-id', igw, '--vpc-id', vpc]);
    const main = q([
      'ec2',
      'describe-route-tables',
      '--filters',
      `Name=vpc-id,Values=${vpc}`,
      '--query',
      'RouteTables[0].RouteTableId',
      '--output',
      'text',
    ]);
    q(['ec2', 'create-route', '--route-table-id', main, '--destination-cidr-block', '0.0.0.0/0', '--gateway-id', igw]);
    const dir = generateProject([
      '--project-name',
      'nm-refused',
      ...flags(NETWORK_MODES['existing-vpc + ssm + nat']?.(vpc, subnet) ?? {}),
    ]);
    const r = script(dir, 'deploy.sh');
    assert.notEqual(r.status, 0);
    assert.match(
      r.stderr,
      new RegExp(`route table ${main} of ${subnet} sends 0\\.0\\.0\\.0/0 to internet gateway ${igw}`),
      r.stderr,
    );
    assert.match(
      r.stderr,
      new RegExp(
        `aws ec2 delete-route --region us-east-1 --route-table-id ${main} --destination-cidr-block 0\\.0\\.0\\.0/0`,
      ),
    );
    assert.match(r.stderr, /reaches S3 neither through a NAT gateway nor through an S3 gateway endpoint/);
    assert.match(r.stderr, /aws ec2 create-vpc-endpoint --region us-east-1 --vpc-id \S+ --vpc-endpoint-type Gateway/);
    assert.match(r.stderr, new RegExp(`VPC ${vpc} has enableDnsHostnames off`));
    assert.match(
      r.stderr,
      new RegExp(`aws ec2 modify-vpc-attribute --region us-east-1 --vpc-id ${vpc} --enable-dns-hostnames Value=true`),
    );
    assert.match(
      r.stderr,
      new RegExp(
        `aws ec2 create-tags --region us-east-1 --resources ${vpc} --tags Key=for-use-with-amazon-emr-managed-policies,Value=true`,
      ),
      'the tag is the team to add: the script prints the command and tags nothing',
    );
    assert.match(r.stderr, new RegExp(`aws ec2 create-tags --region us-east-1 --resources ${subnet} --tags`));
    assert.match(r.stderr, /preflight found 5 problem\(s\) above; nothing was created/);
    assert.equal(q(['s3api', 'list-buckets', '--query', 'length(Buckets)']), '0', 'no bucket');
    assert.equal(q(['cloudformation', 'list-stacks', '--query', 'length(StackSummaries)']), '0', 'no stack');
    assert.equal(
      q(['ec2', 'describe-tags', '--filters', `Name=resource-id,Values=${vpc},${subnet}`, '--query', 'length(Tags)']),
      '0',
      "the team's resources are left untagged",
    );
  });

  /** A project of its own name on the team's VPC made in `before`: existing-vpc + ssm + endpoints, in `subnet`. */
  const teamEndpointsProject = (name: string, subnet: string): string =>
    generateProject([
      '--project-name',
      name,
      ...flags({
        network: 'existing-vpc',
        vpcId: team.vpc,
        privateSubnetId: subnet,
        access: 'ssm',
        egress: 'endpoints',
      }),
    ]);

  /** The flags of a combination; existing-vpc uses the team's VPC made in `before`. */
  const argsOf = (name: string): string[] => {
    const answersOf = NETWORK_MODES[name];
    assert.ok(answersOf, name);
    if (name === 'existing-vpc + ssm + nat') return flags(answersOf(team.vpc, team.subnetWithEndpoint));
    if (name.startsWith('existing-vpc')) return flags(answersOf(team.vpc, team.subnetOwnTable));
    // This combination also runs the emr-managed certificate source on moto (it adds the Secrets Manager endpoint).
    if (name === EMR_MANAGED_COMBINATION) return [...flags(answersOf()), '--certificate-source', 'emr-managed'];
    return flags(answersOf());
  };
  const settings = (dir: string) => {
    const env = readFileSync(join(dir, 'scripts', 'project.env'), 'utf8');
    const value = (key: string) => new RegExp(`^${key}='?([^'\\s]*)'?$`, 'm').exec(env)?.[1];
    return { env, access: value('ACCESS'), egress: value('EGRESS'), existing: value('NETWORK') === 'existing-vpc' };
  };

  // The default and new-vpc + bastion + endpoints are checked statically here; the default's run on moto is
  // e2e.test.ts's, and a bastion adds nothing to the other runs but time (each AWS CLI call costs about 0.25 s).
  const staticOnly = ['new-vpc + bastion + nat (default)', 'new-vpc + bastion + endpoints'];
  const onMoto = [
    'new-vpc + ssm + nat',
    'new-vpc + ssm + endpoints',
    'existing-vpc + ssm + nat',
    'existing-vpc + none + endpoints',
  ];
  /** Each combination's project, generated once; those run on moto are named nm-<i>. */
  const projects = new Map<string, string>();
  const projectOf = (name: string): string => {
    let dir = projects.get(name);
    if (!dir) {
      const i = onMoto.indexOf(name);
      dir = generateProject([...(i === -1 ? [] : ['--project-name', `nm-${i}`]), ...argsOf(name)]);
      projects.set(name, dir);
    }
    return dir;
  };
  /** cfn-lint's findings for every combination, from one cfn-lint run over all of them. */
  let lintFindings: Map<string, string[]> | undefined;

  /** The emitted files of every combination: cfn-lint, shellcheck, and what each answer promises in them. */
  function staticChecks(name: string): string {
    const dir = projectOf(name);
    const { env, access, egress, existing } = settings(dir);
    lintFindings ??= cfnLintFindings([...staticOnly, ...onMoto].map(projectOf));
    assert.deepEqual(lintFindings.get(dir), [], 'cfn-lint finds nothing');
    const scripts = readdirSync(join(dir, 'scripts')).filter((f) => f.endsWith('.sh'));
    const shellcheck = run('shellcheck', ['-x', ...scripts.map((f) => `scripts/${f}`)], { cwd: dir });
    assert.equal(shellcheck.status, 0, shellcheck.stdout);
    const template = JSON.parse(readFileSync(join(dir, 'cfn', 'environment.json'), 'utf8')) as {
      Resources: Record<string, Resource>;
    };
    const types = Object.values(template.Resources).map((r) => r.Type);
    const commands = readFileSync(join(dir, 'ssh-commands.txt'), 'utf8');
    if (existing) {
      for (const type of ['AWS::EC2::VPC', 'AWS::EC2::Subnet', 'AWS::EC2::InternetGateway', 'AWS::EC2::NatGateway'])
        assert.ok(!types.includes(type), `no ${type} in a team's VPC`);
      // No Control Tower rule covers what is left (security groups, endpoints): make posture accepts that.
      const posture = run('make', ['-s', 'posture', `CFN_GUARD=${guardBinary()}`, `CT_RULES_DIR=${CT_RULES_DIR}`], {
        cwd: dir,
      });
      assert.equal(posture.status, 0, posture.stdout + posture.stderr);
      assert.match(posture.stdout, /posture: pass/);
    }
    if (egress === 'endpoints') {
      assert.ok(!types.includes('AWS::EC2::NatGateway'), 'no NAT gateway');
      const routes = Object.values(template.Resources).filter((r) => r.Type === 'AWS::EC2::Route');
      assert.ok(
        routes.every((r) => JSON.stringify(r.Properties.RouteTableId) === '{"Ref":"PublicRouteTable"}'),
        'no route from the private subnet to the internet',
      );
    }
    if (access === 'bastion') {
      assert.deepEqual(port22Rules(template.Resources), ['BastionSecurityGroup', 'PrimaryFromBastion']);
    } else {
      assert.deepEqual(port22Rules(template.Resources), [], 'no security group admits port 22');
      for (const file of emittedFiles(dir).filter((f) => f.endsWith('.json')))
        assert.doesNotMatch(readFileSync(file, 'utf8'), /"FromPort": ?22\b/, relative(dir, file));
      assert.ok(!types.includes('AWS::EC2::Instance'), 'no bastion');
    }
    if (access === 'ssm') {
      assert.doesNotMatch(env, /KEY_PAIR_NAME/, 'no key pair in project.env');
      assert.doesNotMatch(readFileSync(join(dir, 'scripts', 'deploy.sh'), 'utf8'), /KeyName=|describe-key-pairs/);
      assert.match(commands, /aws ssm start-session --region us-east-1 --target "\$PRIMARY_ID"/);
      assert.match(commands, /--instance-group-types MASTER/);
      for (const port of [8088, 18480, 10002])
        assert.match(
          commands,
          new RegExp(`AWS-StartPortForwardingSession[^\\n]*\\n[^\\n]*"portNumber":\\["${port}"\\]`),
        );
      assert.doesNotMatch(commands, /ssh -i|ProxyCommand/);
    } else if (access === 'none') {
      assert.match(commands, /Your team brings its own path/);
      assert.doesNotMatch(commands, /ssh -i|start-session/);
    }
    return dir;
  }

  /**
   * certificateSource emr-managed (issue 16): no certificate is uploaded and the security configuration names the
   * EMR provider with the full key ARN. moto stores the configuration but creates no CA and returns no
   * CACertificateSecretARN (real EMR does): verify-encryption.sh reports the provider as ok and the missing CA
   * secret as a failure, by name.
   */
  function emrManagedChecks(
    deploy: { stdout: string; stderr: string },
    verify: { stdout: string; stderr: string },
    bucket: string,
  ): void {
    assert.match(deploy.stdout + deploy.stderr, /certificates +EMR-managed/);
    const uploaded = q([
      's3api',
      'list-objects-v2',
      '--bucket',
      bucket,
      '--prefix',
      'certs/',
      '--query',
      'length(Contents || `[]`)',
    ]);
    assert.equal(uploaded, '0', 'no certificate zip uploaded');
    // moto does not implement ListSecurityConfigurations: the name is the one deploy.sh reports.
    const name = /security configuration +(\S+)/.exec(deploy.stdout)?.[1] ?? '';
    assert.match(name, /-v1-/, deploy.stdout);
    const stored = securityConfiguration<{
      EncryptionConfiguration: {
        InTransitEncryptionConfiguration: { TLSCertificateConfiguration: Record<string, unknown> };
      };
    }>(moto, name);
    const tls = stored.EncryptionConfiguration.InTransitEncryptionConfiguration.TLSCertificateConfiguration;
    assert.equal(tls.CertificateProviderType, 'EMR');
    assert.match(
      String(tls.AwsKmsKey),
      /^arn:aws:kms:us-east-1:\d{12}:key\//,
      'AwsKmsKey filled with the full key ARN',
    );
    const said = verify.stdout + verify.stderr;
    assert.match(said, /ok +in-transit certificates are EMR-managed/);
    assert.match(said, /FAIL +describe-security-configuration shows no CACertificateSecretARN/);
    assert.doesNotMatch(said, /certs\.zip/);
  }

  it('existing-vpc + endpoints preflight: a route table other subnets use (here the main table) is refused; nothing is created', () => {
    const dir = teamEndpointsProject('nm-shared', team.subnetOnMainTable);
    const r = script(dir, 'deploy.sh');
    assert.notEqual(r.status, 0);
    assert.match(
      r.stderr,
      new RegExp(`route table rtb-\\S+ of ${team.subnetOnMainTable} is shared \\(the main table of ${team.vpc}`),
    );
    assert.match(r.stderr, /it would cut S3 for the others\. Give the subnet a table of its own/);
    assert.match(r.stderr, /nothing was created/);
    assert.equal(
      q(['s3api', 'list-buckets', '--query', "length(Buckets[?Name=='nm-shared-123456789012-us-east-1'])"]),
      '0',
    );
  });

  for (const name of staticOnly) {
    it(`${name}: cfn-lint and shellcheck clean; port 22 only between the bastion and the primary node`, () => {
      staticChecks(name);
    });
  }

  onMoto.forEach((name, i) => {
    it(`${name}: cfn-lint and shellcheck clean; deploy, jobs, verify and teardown run on moto`, () => {
      const project = `nm-${i}`;
      const bucket = `${project}-123456789012-us-east-1`;
      const dir = staticChecks(name);
      const { access, egress, existing } = settings(dir);
      if (access !== 'ssm') q(['ec2', 'create-key-pair', '--key-name', project]);

      // Deploy.
      const deploy = script(dir, 'deploy.sh', ['--wait-timeout', '60']);
      assert.equal(deploy.status, 0, deploy.stderr);
      const clusterId = /Launched cluster \S+: (j-\S+)\./.exec(deploy.stderr)?.[1] ?? '';
      assert.match(clusterId, /^j-/, deploy.stderr);
      const attributes = JSON.parse(
        q(['emr', 'describe-cluster', '--cluster-id', clusterId, '--query', 'Cluster.Ec2InstanceAttributes']),
      ) as { Ec2SubnetId: string; Ec2KeyName?: string };
      if (access === 'ssm') assert.equal(attributes.Ec2KeyName, undefined, 'the cluster has no key pair');
      else assert.equal(attributes.Ec2KeyName, project);
      if (existing) {
        const subnet = argsOf(name)[argsOf(name).indexOf('--private-subnet-id') + 1];
        assert.equal(attributes.Ec2SubnetId, subnet, "the cluster runs in the team's subnet");
        assert.doesNotMatch(deploy.stderr, /Default security group/, "the team's default security group is left alone");
      } else assert.match(deploy.stderr, /Default security group sg-\S+ of vpc-\S+ has no rules\./);
      if (egress === 'endpoints') {
        const vpc = existing
          ? team.vpc
          : q([
              'cloudformation',
              'describe-stacks',
              '--stack-name',
              `${project}-environment`,
              '--query',
              "Stacks[0].Outputs[?OutputKey=='VpcId'].OutputValue | [0]",
              '--output',
              'text',
            ]);
        const services = q([
          'ec2',
          'describe-vpc-endpoints',
          '--filters',
          `Name=vpc-id,Values=${vpc}`,
          '--query',
          'VpcEndpoints[].ServiceName',
          '--output',
          'text',
        ]).split(/\s+/);
        const expected = ['elasticmapreduce', 'sts', 'kms', 'logs', 's3'];
        if (access === 'ssm') expected.push('ssm', 'ssmmessages', 'ec2messages');
        if (name === EMR_MANAGED_COMBINATION) expected.push('secretsmanager');
        for (const s of expected) assert.ok(services.includes(`com.amazonaws.us-east-1.${s}`), `${s} endpoint`);
      }

      if (existing && egress === 'endpoints') {
        // The S3 gateway endpoint this stack made is its own, not the team's: a second deploy keeps it (finding:
        // counting it as the team's would flip CreateS3GatewayEndpoint and delete it on every other run).
        const parameter = (): string =>
          q([
            'cloudformation',
            'describe-stacks',
            '--stack-name',
            `${project}-environment`,
            '--query',
            "Stacks[0].Parameters[?ParameterKey=='CreateS3GatewayEndpoint'].ParameterValue | [0]",
            '--output',
            'text',
          ]);
        assert.equal(parameter(), 'true');
        const again = script(dir, 'deploy.sh', ['--no-cluster']);
        assert.equal(again.status, 0, again.stderr);
        assert.equal(parameter(), 'true', 'a re-run keeps the stack its S3 endpoint');
        // Another project in the same VPC would make interface endpoints with the same private DNS names: refused.
        const other = teamEndpointsProject('nm-other', team.subnetWithEndpoint);
        const clash = script(other, 'deploy.sh');
        assert.notEqual(clash.status, 0);
        assert.match(
          clash.stderr,
          new RegExp(
            `VPC ${team.vpc} already has interface endpoint vpce-\\S+ for com\\.amazonaws\\.us-east-1\\.sts with private DNS`,
          ),
        );
        assert.match(clash.stderr, /regenerate with --egress nat/);
      }

      // Jobs and verification. moto accepts steps but never runs them, so no output exists: verify-encryption.sh
      // checks the security configuration and the bucket, then fails on the missing output, as on e2e.test.ts.
      const jobs = script(dir, 'run-jobs.sh', ['--no-wait']);
      assert.equal(jobs.status, 0, jobs.stderr);
      const verify = script(dir, 'verify-encryption.sh');
      assert.notEqual(verify.status, 0);
      assert.match(verify.stderr, new RegExp(`ok +cluster j-\\S+ uses ${project}-`));
      assert.match(verify.stderr, /FAIL +no pyspark output of run/);
      if (name === EMR_MANAGED_COMBINATION) emrManagedChecks(deploy, verify, bucket);
      // Session Manager itself cannot be exercised: moto has no SSM agent on the instances EMR launches, so
      // `aws ssm start-session` is not tried here; the commands and the instance role's permissions are checked
      // above and in iam-simulate.test.ts.

      // Teardown. moto leaves an EMR cluster's instances running after it terminates (real EMR does not): they are
      // terminated here, as EMR would, when they hold the network stack back.
      let down = script(dir, 'teardown.sh', ['--delete-keys', '--delete-data', '--wait-timeout', '30']);
      let log = down.stderr;
      if (down.status !== 0) {
        assert.match(down.stderr, /DependencyViolation|has dependencies/, down.stderr);
        terminateClusterInstances(moto, clusterId);
        down = script(dir, 'teardown.sh', ['--delete-keys', '--delete-data', '--wait-timeout', '30']);
        log += down.stderr;
      }
      assert.equal(down.status, 0, down.stderr);
      for (const stack of ['environment', 'kms', 'iam'])
        assert.match(log, new RegExp(`Deleting stack ${project}-${stack}\\.`), 'teardown deletes each stack');
      assert.match(log, new RegExp(`Deleted bucket s3://${bucket}`));
      if (existing) {
        // The team's VPC, subnets and S3 endpoint remain: teardown deleted only the project's stacks. (Whether the
        // stack's own endpoints went with it is CloudFormation's part, which moto does not fully mimic.)
        const left = q([
          'ec2',
          'describe-vpc-endpoints',
          '--filters',
          `Name=vpc-id,Values=${team.vpc}`,
          '--query',
          `VpcEndpoints[?RouteTableIds[0]=='${team.table}'].ServiceName`,
          '--output',
          'text',
        ]);
        assert.equal(left, 'com.amazonaws.us-east-1.s3', "the team's S3 endpoint remains");
      }
    });
  });
});
