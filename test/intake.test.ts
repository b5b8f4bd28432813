/**
 * Issue 10: answer intake is pure (sources, account lookup and prompts come in as functions), and declarations
 * can say "required when". The SSH confirmation is such an answer: needed only for a wide public sshCidr.
 * Also the generator state read from .yo-rc.json and scripts/project.env.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ANSWER_SPECS } from '../generators/lib/answers.js';
import type { AnswerSpec } from '../generators/lib/answers.js';
import { AnswersError, collectSupplied, intakeAnswers } from '../generators/lib/answer-intake.js';
import type { IntakeInput } from '../generators/lib/answer-intake.js';
import { readState } from '../generators/lib/state.js';
import { sshNeedsConfirmation } from '../generators/lib/validate.js';

function input(
  options: Record<string, unknown>,
  extra: Partial<IntakeInput> = {},
): IntakeInput & { asked: string[][]; logs: string[] } {
  const asked: string[][] = [];
  const logs: string[] = [];
  return {
    sources: { options },
    useDefaults: true,
    interactive: false,
    lookupAccount: async () => ({ reason: 'offline in tests' }),
    ask: async (_known, specs: readonly AnswerSpec[]) => {
      asked.push(specs.map((s) => s.name));
      return {};
    },
    log: (line) => logs.push(line),
    asked,
    logs,
    ...extra,
  };
}

describe('answer intake', () => {
  it('a narrow sshCidr needs no confirmation: the answer is absent even when given', async () => {
    const a = await intakeAnswers(
      input({ accountId: '123456789012', sshCidr: '203.0.113.0/24', allowSshFromAnywhere: true }),
    );
    assert.equal(a.allowSshFromAnywhere, undefined);
  });

  it('a wide public sshCidr requires it: missing without a terminal, refused when false, accepted when true', async () => {
    const base = { accountId: '123456789012', sshCidr: '0.0.0.0/1' };
    await assert.rejects(intakeAnswers(input(base, { useDefaults: false })), (e: AnswersError) =>
      e.problems.some((p) => p.field === 'allowSshFromAnywhere' && /missing/.test(p.message)),
    );
    await assert.rejects(
      intakeAnswers(input({ ...base, allowSshFromAnywhere: false })),
      /sshCidr: "0\.0\.0\.0\/1" opens SSH to a wide range/,
    );
    const a = await intakeAnswers(input({ ...base, allowSshFromAnywhere: true }));
    assert.equal(a.allowSshFromAnywhere, true);
  });

  it('interactive: absent answers go to the prompts, conditional ones included; given answers are not asked', async () => {
    const i = input(
      { accountId: '123456789012' },
      {
        useDefaults: false,
        interactive: true,
        ask: async (_k, specs) => {
          i.asked.push(specs.map((s) => s.name));
          return { sshCidr: '10.20.0.0/16' };
        },
      },
    );
    await assert.rejects(intakeAnswers(i), AnswersError, 'defaults not taken: the other answers stay missing');
    assert.ok(i.asked[0]?.includes('allowSshFromAnywhere'), 'offered to the prompt, which asks it only when needed');
    assert.ok(!i.asked[0]?.includes('accountId'));
    assert.equal(i.asked[0]?.length, ANSWER_SPECS.length - 1);
  });

  it('the account lookup runs only when no source gave the account, and sees the region given', async () => {
    let seen: unknown;
    const a = await intakeAnswers(
      input(
        { sshCidr: '203.0.113.0/24', region: 'eu-west-1' },
        {
          lookupAccount: async (known) => {
            seen = known.region;
            return { accountId: '210987654321' };
          },
        },
      ),
    );
    assert.equal(a.accountId, '210987654321');
    assert.equal(seen, 'eu-west-1');
  });
});

describe('sshNeedsConfirmation: wider than /16 and reaching public space', () => {
  for (const [cidr, needs] of [
    ['0.0.0.0/0', true],
    ['0.0.0.0/1', true],
    ['8.0.0.0/15', true],
    ['8.0.0.0/16', false],
    ['203.0.113.0/24', false],
    ['10.0.0.0/8', false],
    ['172.16.0.0/12', false],
    ['192.168.0.0/16', false],
    ['100.64.0.0/10', false],
  ] as const) {
    it(`${cidr}: ${needs}`, () => assert.equal(sshNeedsConfirmation(cidr), needs));
  }
});

describe('state: certificate version', () => {
  it('from .yo-rc.json, or 1', () => {
    assert.deepEqual(readState({}, undefined).state, { certificateVersion: 1 });
    assert.deepEqual(readState({ certificateVersion: 3 }, 'CERTIFICATE_VERSION=3\n').state, { certificateVersion: 3 });
  });

  it('a higher CERTIFICATE_VERSION in scripts/project.env (OpenSSL rotation) wins, and says so; a lower one does not', () => {
    const raised = readState({ certificateVersion: 1 }, 'X=1\nCERTIFICATE_VERSION=2\n');
    assert.deepEqual(raised.state, { certificateVersion: 2 });
    assert.match(raised.notes.join(), /taken from scripts\/project\.env/);
    assert.deepEqual(readState({ certificateVersion: 4 }, 'CERTIFICATE_VERSION=2\n').state, { certificateVersion: 4 });
  });

  it('a bad value names the file and the fix', () => {
    assert.throws(() => readState({ certificateVersion: 'two' }, undefined), /\.yo-rc\.json .*restore it from git/);
    assert.throws(() => readState({}, 'CERTIFICATE_VERSION=$(id)\n'), /scripts\/project\.env .*plain number/);
  });
});

describe('answers added later (savedDefault)', () => {
  it('a saved set without certificateSource keeps self-signed; a new project is not given it silently', () => {
    const stored = collectSupplied({ stored: { projectName: 'old-emr' } });
    assert.equal(stored.values.certificateSource, 'self-signed');
    assert.equal(stored.origins.certificateSource, 'stored config');
    assert.equal(collectSupplied({ file: { projectName: 'x' } }).values.certificateSource, 'self-signed');
    assert.equal(collectSupplied({ stored: {} }).values.certificateSource, undefined);
    assert.equal(
      collectSupplied({ stored: { projectName: 'old-emr', certificateSource: 'emr-managed' } }).values
        .certificateSource,
      'emr-managed',
    );
  });
});

// Issue 15: network, access and egress. Each answer is asked only when relevant, IDs are format-checked, and the
// impossible combinations are refused with the reason.
describe('network and access answers', () => {
  const base = { accountId: '123456789012' };
  const existing = { network: 'existing-vpc', vpcId: 'vpc-0123456789abcdef0', privateSubnetId: 'subnet-01234567' };
  const problems = async (options: Record<string, unknown>): Promise<string> => {
    try {
      await intakeAnswers(input({ ...base, ...options }));
    } catch (e) {
      assert.ok(e instanceof AnswersError, String(e));
      return e.message;
    }
    return '';
  };

  it('the defaults are new-vpc, bastion, nat; old saved answers without them load as before', async () => {
    const a = await intakeAnswers(input({ ...base, sshCidr: '203.0.113.0/24' }));
    assert.deepEqual([a.network, a.access, a.egress], ['new-vpc', 'bastion', 'nat']);
    const stored = collectSupplied({ stored: { projectName: 'old', sshCidr: '203.0.113.0/24' } });
    assert.deepEqual(
      [stored.values.network, stored.values.access, stored.values.egress],
      ['new-vpc', 'bastion', 'nat'],
      'savedDefault keeps what a project made before these answers had',
    );
  });

  it('an answers file or saved set naming existing-vpc without access gets ssm (bastion is only for sets older than access)', async () => {
    assert.equal(collectSupplied({ file: { ...existing } }).values.access, undefined);
    assert.equal(collectSupplied({ stored: { ...existing } }).values.access, undefined);
    assert.equal(collectSupplied({ file: { projectName: 'x' } }).values.access, 'bastion');
    const a = await intakeAnswers(input(base, { sources: { options: base, file: { ...existing } } }));
    assert.equal(a.access, 'ssm');
  });

  it('vpcId or privateSubnetId given without network existing-vpc is refused, not dropped (a new VPC would be made)', async () => {
    const message = await problems({ vpcId: existing.vpcId, privateSubnetId: existing.privateSubnetId, access: 'ssm' });
    assert.match(message, /vpcId: is used only with network existing-vpc; .* Add --network existing-vpc/);
    assert.match(message, /privateSubnetId: is used only with network existing-vpc/);
    // A saved set that switched back to new-vpc keeps no stale ids and is not refused.
    const stored = collectSupplied({ stored: { projectName: 'x', network: 'new-vpc', vpcId: existing.vpcId } });
    assert.equal(stored.origins.vpcId, 'stored config');
  });

  it('existing-vpc: access defaults to ssm; no CIDRs, sshCidr, key pair or bastion type are needed or kept', async () => {
    const a = await intakeAnswers(
      input({ ...base, ...existing, vpcCidr: '10.0.0.0/16', sshCidr: '203.0.113.0/24', keyPairName: 'k' }),
    );
    assert.equal(a.access, 'ssm');
    for (const field of [
      'vpcCidr',
      'publicSubnetCidr',
      'privateSubnetCidr',
      'sshCidr',
      'keyPairName',
      'bastionInstanceType',
    ])
      assert.equal((a as unknown as Record<string, unknown>)[field], undefined, field);
    assert.equal(a.vpcId, 'vpc-0123456789abcdef0');
  });

  it('existing-vpc without its ids: both missing, nothing else', async () => {
    const message = await problems({ network: 'existing-vpc' });
    assert.match(message, /- vpcId: missing/);
    assert.match(message, /- privateSubnetId: missing/);
    assert.doesNotMatch(message, /sshCidr/);
  });

  it('ids are format-checked: vpc- or subnet- and 8 or 17 lowercase hex digits', async () => {
    for (const [field, bad] of [
      ['vpcId', 'vpc-123'],
      ['vpcId', 'subnet-01234567'],
      ['vpcId', 'vpc-0123456789ABCDEF0'],
      ['privateSubnetId', 'subnet-0123456789abcdef'],
      ['privateSubnetId', 'vpc-01234567'],
    ] as const) {
      const message = await problems({ ...existing, [field]: bad });
      assert.match(
        message,
        new RegExp(`${field}: "${bad}" is not valid: expected a (vpc|subnet) id`),
        `${field}=${bad}`,
      );
    }
  });

  it('ssm on a new VPC: no key pair, no sshCidr, no bastion type asked or kept; with endpoints no public subnet', async () => {
    const a = await intakeAnswers(input({ ...base, access: 'ssm', egress: 'endpoints' }));
    assert.equal(a.keyPairName, undefined);
    assert.equal(a.sshCidr, undefined);
    assert.equal(a.bastionInstanceType, undefined);
    assert.equal(a.publicSubnetCidr, undefined, 'nothing lives in a public subnet');
    assert.equal(a.vpcCidr, '10.0.0.0/16');
    const nat = await intakeAnswers(input({ ...base, access: 'ssm' }));
    assert.equal(nat.publicSubnetCidr, '10.0.1.0/24', 'the NAT gateway needs the public subnet');
  });

  it('refuses the impossible combinations with the reason', async () => {
    assert.match(
      await problems({ ...existing, access: 'bastion', sshCidr: '203.0.113.0/24' }),
      /access: bastion is not made in an existing VPC .*choose ssm \(Session Manager\) or none/,
    );
    assert.match(
      await problems({ access: 'none', sshCidr: '203.0.113.0/24' }),
      /access: none leaves a new VPC with no way in/,
    );
    assert.match(
      await problems({ access: 'ssm', iamRoles: 'emr-defaults' }),
      /access: ssm needs Session Manager permissions on the nodes, which the EMR default instance role/,
    );
  });

  it('prompts ask only what the earlier answers make relevant', async () => {
    const session = input(
      { ...base, network: 'existing-vpc', access: 'ssm' },
      { useDefaults: false, interactive: true },
    );
    await assert.rejects(intakeAnswers(session));
    const asked = session.asked.flat();
    assert.ok(asked.includes('vpcId') && asked.includes('privateSubnetId'));
    // The prompt's own condition (requiredWhen) skips these; the list given to the prompt is every absent answer.
    const ssmOnly = ANSWER_SPECS.filter((s) =>
      ['keyPairName', 'sshCidr', 'vpcCidr', 'bastionInstanceType'].includes(s.name),
    );
    for (const spec of ssmOnly)
      assert.equal(
        (spec.requiredWhen as ((a: Record<string, unknown>) => boolean) | undefined)?.({
          network: 'existing-vpc',
          access: 'ssm',
        }),
        false,
        spec.name,
      );
  });
});
