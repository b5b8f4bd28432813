/** Issue 17: the benchmark runs and reports paired ratios with spread (not a timed test: it asserts only what it reports). */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, readJson, run, tempDir } from './support/helpers.js';

type Results = {
  rounds: number;
  recipe: string;
  results: Array<{
    name: string;
    median: number;
    runs: number[];
    ratio?: { median: number; q1: number; q3: number };
    goal?: number;
    met?: boolean;
  }>;
  rsaKeySeconds: number[];
  peakRssMiB: number;
};

describe('npm run bench', () => {
  it('alternates every case each round, pairs ratios with their baseline, reports spread, key time and peak RSS', () => {
    const out = join(tempDir('bench-'), 'results.json');
    const r = run(process.execPath, [join(ROOT, 'dist', 'bench', 'bench.js')], {
      env: { ...process.env, BENCH_RUNS: '2', BENCH_OUT: out },
    });
    assert.equal(r.status, 0, r.stderr);
    const results = readJson<Results>(out);
    assert.equal(results.rounds, 2);
    assert.match(
      results.recipe,
      /^openssl req -x509 -newkey rsa:2048 .* && cp certificateChain\.pem trustedCertificates\.pem && zip /,
    );
    const names = results.results.map((x) => x.name);
    for (const name of [
      'recipe: openssl req + cp + zip',
      'node -e 0',
      'floor: Node making the two RSA keys of a set',
      'secure-emr full run, defaults',
      'secure-emr certs --rotate',
      're-run, no changes',
      'subgenerator (kms)',
      '--dry-run',
      'certs --check',
      '--help',
    ]) {
      assert.ok(names.includes(name), name);
      assert.ok(r.stdout.includes(`| ${name} |`), `printed: ${name}`);
    }
    for (const x of results.results) {
      assert.equal(x.runs.length, 2, x.name);
      assert.ok(x.median > 0, x.name);
      if (x.goal !== undefined) {
        assert.ok(
          x.ratio && x.ratio.q1 <= x.ratio.median && x.ratio.median <= x.ratio.q3,
          `${x.name}: ratio with spread`,
        );
        assert.equal(x.met, (x.ratio?.median ?? Infinity) <= x.goal);
      }
    }
    assert.match(r.stdout, /\d+\.\d\dx the recipe \(\d+\.\d\d-\d+\.\d\d\) \| <= 2x: (met|not met)/);
    assert.match(r.stdout, /\d+\.\d\dx node -e 0 \(\d+\.\d\d-\d+\.\d\d\) \| <= 4x: (met|not met)/);
    assert.match(r.stdout, /RSA-2048 key generation alone: median \d+\.\d{3} s/);
    assert.ok(results.rsaKeySeconds.length >= 5);
    assert.match(r.stdout, /Peak RSS of the full run: \d+ MiB \(goal <= 70 MiB: (met|not met)\)/);
    assert.ok(results.peakRssMiB > 0);
  });
});
