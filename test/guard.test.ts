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
