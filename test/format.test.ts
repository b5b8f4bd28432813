/**
 * Issue 2: every emitted JSON, Markdown and YAML file is in prettier's format. The run formats them without
 * loading prettier (issue 6); here prettier itself checks the result, for several answer sets.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import * as prettier from 'prettier';
import { generateProject } from './support/helpers.js';

const OPTIONS: Record<string, prettier.Options> = {
  '.json': { parser: 'json', printWidth: 120 },
  '.md': { parser: 'markdown', printWidth: 120, proseWrap: 'preserve' },
  '.yml': { parser: 'yaml', printWidth: 120 },
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

const ANSWER_SETS: Record<string, string[]> = {
  defaults: [],
  'eu-west-1, SSE-KMS, long names': [
    '--region',
    'eu-west-1',
    '--s3-encryption-mode',
    'SSE-KMS',
    '--project-name',
    'payments-data-platform-emr',
    '--cert-organization',
    'Example Payments Group Ltd',
  ],
  'emr-defaults, SSE-S3, other CIDRs': [
    '--region',
    'ap-southeast-2',
    '--iam-roles',
    'emr-defaults',
    '--s3-encryption-mode',
    'SSE-S3',
    '--vpc-cidr',
    '172.31.0.0/16',
    '--public-subnet-cidr',
    '172.31.0.0/20',
    '--private-subnet-cidr',
    '172.31.16.0/20',
  ],
};

describe('emitted files are in prettier format', () => {
  for (const [name, args] of Object.entries(ANSWER_SETS)) {
    it(name, async () => {
      const dir = generateProject(args);
      const checked = files(dir).filter((f) => extname(f) in OPTIONS && !f.endsWith('.yo-rc.json'));
      assert.ok(checked.length >= 7, `checked ${checked.length} files`);
      for (const file of checked) {
        const text = readFileSync(file, 'utf8');
        const formatted = await prettier.format(text, OPTIONS[extname(file)]);
        assert.equal(text, formatted, `${relative(dir, file)} differs from prettier's format`);
      }
    });
  }
});
