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
