/** Issue 6: the benchmark runs and reports ratios (not a timed test: it asserts only what it reports). */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, readJson, run, tempDir } from './support/helpers.js';

describe('npm run bench', () => {
  it('times every run, prints ratios to the baseline and writes its results as JSON', () => {
    const out = join(tempDir('bench-'), 'results.json');
    const r = run(process.execPath, [join(ROOT, 'dist', 'bench', 'bench.js')], {
      env: { ...process.env, BENCH_RUNS: '1', BENCH_OUT: out },
    });
    assert.equal(r.status, 0, r.stderr);
    for (const name of [
      'baseline: openssl req + zip',
      'secure-emr (full run, defaults)',
      'secure-emr certs --rotate',
      'yo --version',
      'yo secure-emr (full run, defaults)',
    ]) {
      assert.ok(r.stdout.includes(`| ${name} |`), name);
    }
    assert.match(r.stdout, /\d+\.\d\dx baseline \| <= 4x baseline/);
    assert.match(r.stdout, /\d+\.\d\dx yo --version/);
    assert.match(r.stdout, /Peak RSS of the full run: \d+ MiB/);
    const results = readJson<{ results: Array<{ name: string; median: number; runs: number[] }>; peakRssMiB: number }>(
      out,
    );
    assert.equal(results.results.length, 5);
    for (const m of results.results) assert.ok(m.median > 0 && m.runs.length === 1, m.name);
    assert.ok(results.peakRssMiB > 0);
  });
});
