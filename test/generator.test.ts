/** Issue 2: the app generator through yeoman-test, interactively and not; non-interactive paths never prompt. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import helpers from 'yeoman-test';
import { ROOT, readJson, tempDir } from './support/helpers.js';

const APP = join(ROOT, 'dist', 'generators', 'app', 'index.js');
const REQUIRED = { accountId: '123456789012', sshCidr: '203.0.113.0/24', offline: true };

type Env = { adapter: { prompt: (...a: unknown[]) => unknown } };
/** An adapter whose prompt throws: proves a path never asks. */
function throwingPrompts(env: unknown): void {
  (env as Env).adapter.prompt = () => {
    throw new Error('prompted on a non-interactive path');
  };
}

/** The app generator with options by their code names (camelCase), optionally in a given folder. */
function app(dir: string | undefined, options: Record<string, unknown>) {
  const ctx = helpers.run(APP);
  if (dir) ctx.inDir(dir);
  return ctx.withOptions(options as Parameters<typeof ctx.withOptions>[0]);
}

function stored(dir: string): Record<string, unknown> {
  return readJson<Record<string, Record<string, unknown>>>(join(dir, '.yo-rc.json'))['generator-secure-emr'] ?? {};
}

describe('app generator (yeoman-test)', () => {
  it('asks through the prompt API and writes the answers it was given', async () => {
    const result = await app(undefined, { offline: true, interactive: true }).withAnswers({
      accountId: '210987654321',
      sshCidr: '198.51.100.0/24',
      region: 'eu-west-1',
      projectName: 'payments-emr',
    });
    const config = stored(result.cwd);
    assert.equal(config.accountId, '210987654321');
    assert.equal(config.region, 'eu-west-1');
    assert.equal(config.projectName, 'payments-emr');
    assert.equal(config.bucketName, 'payments-emr-210987654321-eu-west-1', 'derived default follows earlier answers');
    assert.equal(config.s3KeyAlias, 'alias/payments-emr-s3');
    const kms = readJson<{ Resources: Record<string, { Properties: { AliasName?: string } }> }>(
      join(result.cwd, 'cfn/kms.json'),
    );
    assert.equal(kms.Resources.S3KeyAlias?.Properties.AliasName, 'alias/payments-emr-s3');
  });

  it('with --defaults takes every default and never prompts', async () => {
    const result = await app(undefined, { ...REQUIRED, defaults: true }).withEnvironment(throwingPrompts);
    const config = stored(result.cwd);
    assert.equal(config.region, 'us-east-1');
    assert.equal(config.s3EncryptionMode, 'CSE-KMS');
    assert.equal(config.certKeySize, 2048);
    assert.equal(config.coreInstanceCount, 2);
    assert.ok(existsSync(join(result.cwd, 'README.md')));
  });

  it('with an answers file takes every answer from it and never prompts', async () => {
    const dir = tempDir();
    const answersFile = join(tempDir(), 'answers.json');
    const answers = {
      projectName: 'risk-emr',
      region: 'ap-southeast-2',
      accountId: '111122223333',
      bucketName: 'risk-emr-data-bucket',
      s3KeyAlias: 'alias/risk/s3',
      diskKeyAlias: 'alias/risk/disk',
      vpcCidr: '172.20.0.0/16',
      publicSubnetCidr: '172.20.0.0/24',
      privateSubnetCidr: '172.20.8.0/22',
      sshCidr: '192.0.2.0/24',
      allowSshFromAnywhere: false,
      keyPairName: 'risk-key',
      bastionInstanceType: 't3.small',
      releaseLabel: 'emr-7.12.0',
      instanceType: 'r5.xlarge',
      coreInstanceCount: 3,
      idleTimeoutMinutes: 30,
      s3EncryptionMode: 'SSE-KMS',
      iamRoles: 'project',
      certCountry: 'AU',
      certState: 'New South Wales',
      certLocality: 'Sydney',
      certOrganization: 'Risk Co',
      certOrganizationalUnit: 'Analytics',
      certValidityDays: 90,
      certKeySize: 3072,
    };
    writeFileSync(answersFile, JSON.stringify(answers));
    await app(dir, { answers: answersFile }).withEnvironment(throwingPrompts);
    const config = stored(dir);
    for (const [k, v] of Object.entries(answers)) {
      // Not needed for a narrow sshCidr: dropped, so a stale confirmation never applies to a later open range.
      if (k === 'allowSshFromAnywhere') assert.equal(config[k], undefined);
      else assert.deepEqual(config[k], v, k);
    }
  });

  it('without a terminal and with answers missing, fails listing them and writes nothing', async () => {
    const dir = tempDir();
    await assert.rejects(
      app(dir, { offline: true, interactive: false }).withEnvironment(throwingPrompts),
      (error: Error) => {
        assert.match(error.message, /missing/);
        for (const field of ['accountId', 'sshCidr', 'region', 'certKeySize'])
          assert.match(error.message, new RegExp(`- ${field}: missing`));
        return true;
      },
    );
    assert.deepEqual(readdirSync(dir), []);
  });

  it('stored config is validated like any other input', async () => {
    const dir = tempDir();
    const stored = JSON.stringify({ 'generator-secure-emr': { region: 'mars-north-1' } });
    // inDir cleans the folder first: the file is written in its callback, on disk, as a real project has it.
    const ctx = helpers
      .run(APP)
      .inDir(dir, (d) => writeFileSync(join(d, '.yo-rc.json'), stored))
      .withOptions({ ...REQUIRED, defaults: true } as Parameters<ReturnType<typeof helpers.run>['withOptions']>[0]);
    await assert.rejects(
      ctx.withEnvironment(throwingPrompts),
      /region: "mars-north-1" is not valid: .*from \.yo-rc\.json/,
    );
    assert.deepEqual(readdirSync(dir), ['.yo-rc.json']);
    assert.equal(readFileSync(join(dir, '.yo-rc.json'), 'utf8'), stored, 'left as it was');
  });

  it('never stores key material in .yo-rc.json', async () => {
    const result = await app(undefined, { ...REQUIRED, defaults: true });
    const text = readFileSync(join(result.cwd, '.yo-rc.json'), 'utf8');
    assert.doesNotMatch(text, /BEGIN|PRIVATE|CERTIFICATE/);
    assert.match(readFileSync(join(result.cwd, 'certs/privateKey.pem'), 'utf8'), /BEGIN PRIVATE KEY/);
  });
});
