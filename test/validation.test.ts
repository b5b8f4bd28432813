/** Issue 2: every bad input gets one clear message naming the field, the value and the fix; nothing is written. */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import helpers from 'yeoman-test';
import { ROOT, tempDir } from './support/helpers.js';

const APP = join(ROOT, 'dist', 'generators', 'app', 'index.js');
const GOOD = { defaults: true, offline: true, accountId: '123456789012', sshCidr: '203.0.113.0/24' };

/** [field, bad value, what the message must say]. Values are given as CLI options (strings), as a user types them. */
const BAD: Array<[string, unknown, RegExp]> = [
  ['region', 'us-east-9', /AWS region code/],
  ['region', 'US-EAST-1', /AWS region code/],
  ['region', 'cn-north-1', /aws-cn partition/],
  ['region', 'us-gov-west-1', /aws-us-gov partition/],
  ['accountId', '12345678901', /12 digits/],
  ['accountId', '1234567890123', /12 digits/],
  ['accountId', '12345678901a', /12 digits/],
  ['bucketName', 'ab', /3 to 63 characters/],
  ['bucketName', 'x'.repeat(64), /3 to 63 characters/],
  ['bucketName', 'My-Bucket', /lowercase/],
  ['bucketName', 'my..bucket', /adjacent dots/],
  ['bucketName', '192.168.10.20', /IP address/],
  ['bucketName', 'xn--bucket', /xn--/],
  ['bucketName', '-bucket', /begin and end/],
  ['s3KeyAlias', 'secure-emr-s3', /begin with alias\//],
  ['s3KeyAlias', 'alias/aws/s3', /reserved/],
  ['diskKeyAlias', 'alias/disk key', /letters, digits/],
  ['diskKeyAlias', 'alias/secure-emr-s3', /different aliases/],
  ['vpcCidr', '10.0.0.0', /IPv4 CIDR/],
  ['vpcCidr', '10.0.0.0/8', /\/16 to \/28/],
  ['vpcCidr', '10.0.0.1/16', /host bits are set; the network is 10\.0\.0\.0\/16/],
  ['vpcCidr', '300.0.0.0/16', /not a valid IPv4 address/],
  ['publicSubnetCidr', '10.1.0.0/24', /not inside vpcCidr/],
  ['publicSubnetCidr', '10.0.1.0/29', /\/16 to \/28/],
  ['privateSubnetCidr', '10.0.1.128/25', /overlaps publicSubnetCidr/],
  ['privateSubnetCidr', '192.168.0.0/24', /not inside vpcCidr/],
  ['sshCidr', '0.0.0.0/0', /--allow-ssh-from-anywhere/],
  ['sshCidr', '203.0.113.0/33', /prefix length/],
  ['sshCidr', 'everyone', /IPv4 CIDR/],
  ['releaseLabel', 'emr-spark-8.0.0', /no Hive and no EMRFS/],
  ['releaseLabel', 'emr-7.14', /emr-<major>\.<minor>\.<patch>/],
  ['releaseLabel', 'emr-5.36.0', /only the emr-7\.x line is supported/],
  ['releaseLabel', 'emr-6.15.0', /only the emr-7\.x line is supported/],
  ['releaseLabel', 'emr-8.0.0', /only the emr-7\.x line is supported/],
  ['releaseLabel', 'emr-spark-8.1.0', /emr-spark release train/],
  ['coreInstanceCount', '0', /whole number from 1 to 50/],
  ['coreInstanceCount', 'two', /whole number/],
  ['s3EncryptionMode', 'CSE-Custom', /one of CSE-KMS, SSE-KMS, SSE-S3/],
  ['certCountry', 'USA', /two-letter/],
  ['certCountry', 'us', /two-letter/],
  ['certValidityDays', '0', /1 to 825/],
  ['certValidityDays', '826', /1 to 825/],
  ['certKeySize', '1024', /one of 2048, 3072, 4096/],
  ['certOrganization', 'Acme_Evil', /PrintableString/],
  ['certState', 'Bayern <b>', /PrintableString/],
  ['keyPairName', 'key,AdditionalMasterSecurityGroups=[sg-1]', /letters, digits, dots, underscores and hyphens/],
  ['projectName', 'Secure_EMR', /lowercase letters/],
  ['instanceType', 'xlarge', /instance type/],
  ['iamRoles', 'admin', /one of project, emr-defaults/],
];

function flagOf(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

describe('validation of bad answers (one message per field, nothing written)', () => {
  assert.ok(BAD.length >= 30);
  for (const [field, value, expected] of BAD) {
    it(`${field} = ${JSON.stringify(value).slice(0, 40)}`, async () => {
      const dir = tempDir();
      const ctx = helpers.run(APP).inDir(dir);
      await assert.rejects(ctx.withOptions({ ...GOOD, [field]: value } as never), (error: Error) => {
        const lines = error.message.split('\n').filter((l) => l.startsWith('  - '));
        assert.equal(lines.length, 1, `exactly one problem reported:\n${error.message}`);
        const line = lines[0] ?? '';
        assert.ok(line.startsWith(`  - ${field}: `), `names the field: ${line}`);
        assert.match(line, expected);
        if (!/different aliases|overlaps|not inside|allow-ssh/.test(line)) {
          assert.ok(line.includes(JSON.stringify(String(value))), `names the value: ${line}`);
          assert.ok(line.includes(`--${flagOf(field)}`), `names the option that fixes it: ${line}`);
        }
        return true;
      });
      assert.deepEqual(readdirSync(dir), [], 'nothing written');
    });
  }

  it('accepts 0.0.0.0/0 for sshCidr only with the explicit confirmation, and warns', async () => {
    const result = await helpers
      .run(APP)
      .withOptions({ ...GOOD, sshCidr: '0.0.0.0/0', allowSshFromAnywhere: true } as never);
    const env = readdirSync(result.cwd);
    assert.ok(env.includes('cfn'));
  });
});
