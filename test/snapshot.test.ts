/**
 * Issue 10: snapshots of the emitted tree for three answer sets, so a reviewer sees every emitted change in a
 * diff. Key material, dates, fingerprints and hashes are normalised; everything else is compared byte for byte.
 * Refresh after an intended change with `UPDATE_SNAPSHOTS=1 npm test` (or run this file alone) and review the diff.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, generateProject } from './support/helpers.js';

const SNAPSHOTS = join(ROOT, 'test', 'snapshots');

export const SNAPSHOT_SETS: Record<string, string[]> = {
  defaults: [],
  'eu-west-1-sse-kms-other-cidrs': [
    '--region',
    'eu-west-1',
    '--s3-encryption-mode',
    'SSE-KMS',
    '--project-name',
    'payments',
    '--vpc-cidr',
    '172.31.0.0/16',
    '--public-subnet-cidr',
    '172.31.0.0/20',
    '--private-subnet-cidr',
    '172.31.16.0/20',
  ],
  'us-west-2-sse-s3-emr-defaults': [
    '--region',
    'us-west-2',
    '--s3-encryption-mode',
    'SSE-S3',
    '--iam-roles',
    'emr-defaults',
    '--cert-organization',
    "O'Brien Data (Labs)",
  ],
  // Issue 15: a team's VPC, Session Manager, no internet route (interface endpoints).
  'existing-vpc-ssm-endpoints': [
    '--network',
    'existing-vpc',
    '--vpc-id',
    'vpc-0123456789abcdef0',
    '--private-subnet-id',
    'subnet-0123456789abcdef0',
    '--access',
    'ssm',
    '--egress',
    'endpoints',
  ],
};

function files(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? files(p) : [p];
    })
    .sort();
}

/** Values that change on every run, replaced by stable markers. */
export function normalise(path: string, text: string): string {
  let out = text
    .replace(/-----BEGIN ([A-Z ]+)-----[\s\S]*?-----END \1-----/g, '<$1 PEM>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<timestamp>')
    .replace(/([0-9A-F]{2}:){31}[0-9A-F]{2}/g, '<sha256 fingerprint>');
  if (path.endsWith('.secure-emr/manifest.json')) out = out.replace(/"[0-9a-f]{64}"/g, '"<sha256>"');
  return out;
}

export function snapshotOf(dir: string): string {
  return files(dir)
    .map((file) => {
      const path = relative(dir, file);
      const mode = (statSync(file).mode & 0o777).toString(8);
      const body = path.endsWith('.zip') ? '<zip>\n' : normalise(path, readFileSync(file, 'utf8'));
      return `==> ${path} (mode ${mode})\n${body}`;
    })
    .join('\n');
}

describe('snapshots of the emitted tree', () => {
  for (const [name, args] of Object.entries(SNAPSHOT_SETS)) {
    it(name, () => {
      const actual = snapshotOf(generateProject(args));
      const file = join(SNAPSHOTS, `${name}.txt`);
      if (process.env.UPDATE_SNAPSHOTS === '1') {
        mkdirSync(SNAPSHOTS, { recursive: true });
        writeFileSync(file, actual);
        return;
      }
      let expected: string;
      try {
        expected = readFileSync(file, 'utf8');
      } catch {
        assert.fail(
          `no snapshot ${relative(ROOT, file)}: run UPDATE_SNAPSHOTS=1 node --test dist/test/snapshot.test.js`,
        );
      }
      assert.equal(
        actual,
        expected,
        `the emitted tree differs from ${relative(ROOT, file)}; if intended, refresh with UPDATE_SNAPSHOTS=1`,
      );
    });
  }
});
