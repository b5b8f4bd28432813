/** Issue 2: the answer declarations drive the README table and the shipped JSON Schema. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ANSWER_SPECS } from '../generators/lib/answers.js';
import { withAnswersTable } from '../generators/lib/docs.js';
import { withPiecesTable } from '../generators/lib/pieces-docs.js';
import { GENERATOR_NAMES } from '../generators/lib/registry.js';
import { ROOT, readJson } from './support/helpers.js';

describe('documentation made from the declarations', () => {
  it('the README answers table is current (npm run docs refreshes it)', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    assert.equal(readme, withAnswersTable(readme));
    assert.equal(readme, withPiecesTable(readme), 'the pieces table is current');
    for (const name of GENERATOR_NAMES)
      assert.ok(readme.includes(name === 'app' ? '`yo secure-emr`' : `\`yo secure-emr:${name}\``), name);
    for (const s of ANSWER_SPECS) assert.ok(readme.includes(`\`${s.name}\``), s.name);
  });

  it('answers.schema.json lists every answer with its type and forbids unknown fields', () => {
    const schema = readJson<{
      additionalProperties: boolean;
      properties: Record<string, { type: string; enum?: unknown[] }>;
    }>(join(ROOT, 'dist', 'answers.schema.json'));
    assert.equal(schema.additionalProperties, false);
    for (const s of ANSWER_SPECS) assert.ok(schema.properties[s.name], s.name);
    assert.equal(schema.properties.coreInstanceCount?.type, 'integer');
    assert.deepEqual(schema.properties.s3EncryptionMode?.enum, ['CSE-KMS', 'SSE-KMS', 'SSE-S3']);
    assert.deepEqual(schema.properties.certKeySize?.enum, [2048, 3072, 4096]);
  });
});
