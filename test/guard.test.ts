/**
 * Issue 12: AWS Control Tower proactive controls (every CT.*.PR.* rule, with cfn-guard) over every emitted
 * template and the security configuration. Only the reviewed exceptions of generators/lib/guard-exceptions.ts
 * may remain: a new finding fails, and so does an exception that no longer matches a finding.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { GUARD_PACKAGE } from '../generators/lib/guard-exceptions.js';
import type { GuardException } from '../generators/lib/guard-exceptions.js';
import { generateProject, readJson, run, tempDir } from './support/helpers.js';
import { NETWORK_MODES } from './support/network-modes.js';
import { fillDefaults, finalize } from '../generators/lib/answer-intake.js';
import { guardExceptions } from '../generators/lib/guard-exceptions.js';
import { INITIAL_STATE, buildModel } from '../generators/lib/model.js';
import { environmentTemplate } from '../generators/environment/environment-template.js';
import { iamTemplate } from '../generators/iam/iam-template.js';
import { CT_RULES_DIR, GUARD_PACKAGE_DIR, guardBinary, runGuard, wrapSecurityConfiguration } from './support/guard.js';

const ANSWER_SETS: Record<string, string[]> = {
  defaults: [],
  'eu-west-1, Graviton bastion, SSE-KMS': [
    '--region',
    'eu-west-1',
    '--bastion-instance-type',
    't4g.small',
    '--s3-encryption-mode',
    'SSE-KMS',
    '--project-name',
    'analytics',
  ],
  'us-west-2, EMR default roles, SSE-S3, Nitro bastion': [
    '--region',
    'us-west-2',
    '--iam-roles',
    'emr-defaults',
    '--s3-encryption-mode',
    'SSE-S3',
    '--bastion-instance-type',
    'm6i.large',
  ],
};

const key = (f: { template: string; rule: string; resource: string }) => `${f.template} ${f.rule} ${f.resource}`;

describe('AWS Control Tower proactive controls (cfn-guard)', () => {
  it('the harness sees findings: a key without rotation and an unencrypted log group fail', () => {
    const dir = tempDir();
    const path = join(dir, 'tiny.json');
    writeFileSync(
      path,
      JSON.stringify({
        Resources: {
          DataKey: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Statement: [] } } },
          Logs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } },
        },
      }),
    );
    const { findings, statuses } = runGuard({ [path]: 'tiny.json' });
    assert.equal(statuses['tiny.json'], 'FAIL');
    const found = findings.map(key);
    for (const expected of ['CT.KMS.PR.1 DataKey', 'CT.KMS.PR.3 DataKey', 'CT.CLOUDWATCH.PR.3 Logs']) {
      assert.ok(found.includes(`tiny.json ${expected}`), `${expected} in ${found.join(', ')}`);
    }
  });

  it('a file that is not a template is refused, not skipped', () => {
    const path = join(tempDir(), 'broken.json');
    writeFileSync(path, 'not json');
    assert.throws(() => runGuard({ [path]: 'broken.json' }), /JSON/);
  });

  it(`uses the cfn-guard and rules of ${GUARD_PACKAGE.name}@${GUARD_PACKAGE.version}, the version make posture names`, () => {
    const installed = readJson<{ version: string }>(join(GUARD_PACKAGE_DIR, 'package.json')).version;
    assert.equal(installed, GUARD_PACKAGE.version);
    assert.match(run(guardBinary(), ['--version']).stdout, /cfn-guard 3\./);
    assert.ok(readFileSync(join(CT_RULES_DIR, 'keymanagementservice', 'ct-kms-pr-3.guard'), 'utf8').length > 0);
  });

  for (const [name, args] of Object.entries(ANSWER_SETS)) {
    it(`${name}: every template passes except the reviewed exceptions, and every exception still applies`, () => {
      const dir = generateProject(args);
      const data: Record<string, string> = {};
      for (const file of ['cfn/iam.json', 'cfn/kms.json', 'cfn/environment.json']) {
        if (run('test', ['-f', join(dir, file)]).status === 0) data[join(dir, file)] = file;
      }
      const wrapped = wrapSecurityConfiguration(
        join(dir, 'emr/security-configuration.json'),
        join(tempDir(), 'security-configuration.template.json'),
      );
      data[wrapped] = 'emr/security-configuration.json';
      const { findings, statuses } = runGuard(data);
      for (const file of Object.values(data)) assert.match(statuses[file] ?? 'missing', /^(PASS|FAIL)$/, file);
      const exceptions = readJson<GuardException[]>(join(dir, 'scripts/guard-exceptions.json'));
      for (const e of exceptions) assert.ok(e.reason.length > 40, `a reason for ${key(e)}`);
      const unexpected = findings.filter((f) => !exceptions.some((e) => key(e) === key(f)));
      assert.deepEqual(unexpected, [], 'new findings: fix them or add a reviewed exception');
      const stale = exceptions.filter((e) => !findings.some((f) => key(f) === key(e)));
      assert.deepEqual(stale, [], 'stale exceptions: remove them from generators/lib/guard-exceptions.ts');
    });
  }

  // Issue 15: the templates network, access and egress change (environment, iam), for every combination but the
  // default (above), in one cfn-guard run; the Secrets Manager endpoint with emr-managed certificates on one.
  it('every network and access combination: only the reviewed exceptions, each still applying', () => {
    const dir = tempDir();
    const data: Record<string, string> = {};
    const expected = new Map<string, GuardException[]>();
    for (const [name, answersOf] of Object.entries(NETWORK_MODES).slice(1)) {
      const extra = name === 'new-vpc + ssm + endpoints' ? { certificateSource: 'emr-managed' as const } : {};
      const answers = finalize(
        fillDefaults({ accountId: '123456789012', sshCidr: '203.0.113.0/24', ...answersOf(), ...extra }, true),
      );
      const m = buildModel(answers, INITIAL_STATE);
      const slug = name.replace(/[^a-z]+/g, '-');
      // The IAM template changes only with Session Manager (the instance role's channel permissions).
      const files: Array<[string, object]> = [['cfn/environment.json', environmentTemplate(m)]];
      if (m.network.sessionManager) files.push(['cfn/iam.json', iamTemplate(m)]);
      for (const [file, template] of files) {
        const path = join(dir, `${slug}-${file.slice(4)}`);
        writeFileSync(path, JSON.stringify(template));
        data[path] = `${name}: ${file}`;
      }
      expected.set(
        name,
        guardExceptions(m).map((e) => ({ ...e, template: `${name}: ${e.template}` })),
      );
    }
    const { findings, statuses } = runGuard(data);
    for (const file of Object.values(data)) {
      // In a team's VPC the environment template holds only security groups, their rules and endpoints, which no
      // CT.*.PR.* rule covers: cfn-guard reports SKIP (nothing evaluated), not a pass or a failure.
      const evaluated =
        file.startsWith('existing-vpc') && file.endsWith('environment.json') ? /^SKIP$/ : /^(PASS|FAIL)$/;
      assert.match(statuses[file] ?? 'missing', evaluated, file);
    }
    const exceptions = [...expected.values()].flat();
    const unexpected = findings.filter((f) => !exceptions.some((e) => key(e) === key(f)));
    assert.deepEqual(unexpected, [], 'new findings: fix them or add a reviewed exception');
    const stale = exceptions.filter((e) => !findings.some((f) => key(f) === key(e)));
    assert.deepEqual(stale, [], 'stale exceptions: remove them from generators/lib/guard-exceptions.ts');
  });

  it('make posture in the emitted repository runs the same check, and says how to get cfn-guard without it', () => {
    const dir = generateProject();
    const passing = run('make', ['-s', 'posture', `CFN_GUARD=${guardBinary()}`, `CT_RULES_DIR=${CT_RULES_DIR}`], {
      cwd: dir,
    });
    assert.equal(passing.status, 0, passing.stdout + passing.stderr);
    assert.match(passing.stdout, /accepted +cfn\/environment\.json CT\.EC2\.PR\.8 Bastion/);
    assert.match(passing.stdout, /posture: pass/);

    const missing = run('make', ['-s', 'posture', 'CFN_GUARD=/nonexistent/cfn-guard'], { cwd: dir });
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /npm install --no-save --omit=peer @cdklabs\/cdk-validator-cfnguard@\d/);

    // A new finding fails: a log group without a key.
    const environment = readJson<{ Resources: Record<string, { Properties: Record<string, unknown> }> }>(
      join(dir, 'cfn/environment.json'),
    );
    delete environment.Resources.FlowLogGroup?.Properties.KmsKeyId;
    writeFileSync(join(dir, 'cfn/environment.json'), JSON.stringify(environment));
    const failing = run('make', ['-s', 'posture', `CFN_GUARD=${guardBinary()}`, `CT_RULES_DIR=${CT_RULES_DIR}`], {
      cwd: dir,
    });
    assert.notEqual(failing.status, 0);
    assert.match(failing.stdout, /FINDING +cfn\/environment\.json CT\.CLOUDWATCH\.PR\.3 FlowLogGroup/);
  });
});
