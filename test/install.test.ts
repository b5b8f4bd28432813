/**
 * Issue 14: the package as a user gets it. A clean clone of HEAD is packed (`npm pack`, whose prepack builds),
 * the tarball is installed with yo into an empty global prefix from the npm registry, and both the bin and
 * `yo secure-emr` run from there (yo as a non-root user: it refuses root). Needs the npm registry; fails, never
 * skips, when it cannot reach it.
 */
import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BASE_ARGS, ROOT, isolatedEnv, readJson, run, tempDir } from './support/helpers.js';

const pkg = readJson<{ version: string; dependencies: Record<string, string> }>(join(ROOT, 'package.json'));
const yoVersion = readJson<{ version: string }>(join(ROOT, 'node_modules', 'yo', 'package.json')).version;

/** The caller's environment for npm (its cache and registry settings), without what `npm test` adds. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    const lower = k.toLowerCase();
    if (lower.startsWith('npm_') && !/^npm_config_(cache|registry|userconfig)$/.test(lower)) continue;
    env[k] = v;
  }
  return { ...env, NO_UPDATE_NOTIFIER: '1', npm_config_fund: 'false', npm_config_audit: 'false' };
}

function ok(r: ReturnType<typeof run>, what: string): string {
  assert.equal(r.status, 0, `${what} failed (${String(r.status)}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

describe('the published package', () => {
  it(
    'packs from a clean clone, installs with yo into an empty prefix, and runs the bin and yo from it',
    { timeout: 20 * 60_000 },
    () => {
      const work = tempDir('pack-');
      chmodSync(work, 0o755);

      // A clean clone of HEAD; dependencies come from this checkout's node_modules (the same lockfile).
      const head = ok(run('git', ['-C', ROOT, 'rev-parse', 'HEAD']), 'git rev-parse').trim();
      const src = join(work, 'src');
      ok(run('git', ['clone', '-q', '--no-checkout', ROOT, src]), 'git clone');
      ok(run('git', ['-C', src, 'checkout', '-q', head]), 'git checkout');
      assert.ok(!existsSync(join(src, 'dist')), 'the clone has no build');
      symlinkSync(join(ROOT, 'node_modules'), join(src, 'node_modules'));
      const packed = ok(run('npm', ['pack', '--pack-destination', work], { cwd: src, env: npmEnv() }), 'npm pack');
      const tarball = join(work, packed.trim().split('\n').pop() ?? '');
      assert.ok(existsSync(tarball), `tarball ${tarball}`);

      const files = ok(run('tar', ['tzf', tarball]), 'tar')
        .split('\n')
        .filter(Boolean);
      for (const f of [
        'package/package.json',
        'package/LICENSE',
        'package/README.md',
        'package/dist/bin/secure-emr.js',
        'package/dist/THIRD-PARTY-LICENSES.txt',
        'package/dist/answers.schema.json',
        'package/dist/templates.json',
        'package/templates/app/Makefile.ejs',
        ...['app', 'certs', 'kms'].map((g) => `package/dist/generators/${g}/index.js`),
      ])
        assert.ok(files.includes(f), `${f} is in the tarball`);
      assert.ok(
        files.some((f) => f.startsWith('package/dist/chunks/')),
        'the shared chunks ship',
      );
      for (const f of files)
        assert.doesNotMatch(f, /\.ts$|^package\/dist\/(test|scripts|bench)\/|generators\/lib\//, f);

      // An empty prefix: yo and the tarball from the registry, as `npm install -g yo generator-secure-emr` does.
      const prefix = join(work, 'prefix');
      mkdirSync(prefix);
      ok(
        run('npm', ['install', '-g', '--prefix', prefix, `yo@${yoVersion}`, tarball], { cwd: work, env: npmEnv() }),
        'npm install -g --prefix',
      );
      const installed = join(prefix, 'lib', 'node_modules', 'generator-secure-emr');
      assert.deepEqual(
        Object.keys(
          readJson<{ dependencies: Record<string, string> }>(join(installed, 'package.json')).dependencies,
        ).sort(),
        Object.keys(pkg.dependencies).sort(),
      );
      assert.ok(readdirSync(join(installed, 'node_modules')).includes('inquirer'));

      const path = `${join(prefix, 'bin')}:${process.env.PATH ?? ''}`;
      const bin = join(prefix, 'bin', 'secure-emr');
      // The bin, as `npx -p generator-secure-emr secure-emr` runs it.
      assert.equal(
        ok(run(bin, ['--version'], { env: isolatedEnv({ PATH: path }) }), 'secure-emr --version').trim(),
        pkg.version,
      );
      assert.match(
        ok(run(bin, ['--help'], { env: isolatedEnv({ PATH: path }) }), 'secure-emr --help'),
        /^Usage: secure-emr/,
      );
      const byBin = tempDir();
      ok(run(bin, BASE_ARGS, { cwd: byBin, env: isolatedEnv({ PATH: path }) }), 'secure-emr');
      for (const f of ['Makefile', 'cfn/kms.json', 'certs/privateKey.pem', '.yo-rc.json'])
        assert.ok(existsSync(join(byBin, f)), f);

      // yo, as a non-root user (uid 1000 owns HOME and the target), finding the generator in the global prefix.
      const home = tempDir('yo-pkg-home-');
      const target = join(home, 'project');
      mkdirSync(target);
      for (const p of [home, target]) {
        chmodSync(p, 0o755);
        if (process.getuid?.() === 0) chownSync(p, 1000, 1000);
      }
      const yoEnv = isolatedEnv({ HOME: home, PATH: path, NPM_CONFIG_PREFIX: prefix, NO_UPDATE_NOTIFIER: '1' });
      const yo = join(prefix, 'bin', 'yo');
      assert.match(
        ok(run(yo, ['secure-emr', '--help', '--no-insight'], { cwd: target, env: yoEnv }), 'yo --help'),
        /yo secure-emr:certs/,
      );
      const out = ok(
        run(yo, ['secure-emr', ...BASE_ARGS, '--no-insight'], { cwd: target, env: yoEnv }),
        'yo secure-emr',
      );
      assert.ok(existsSync(join(target, 'cfn', 'kms.json')), out);
      if (process.getuid?.() === 0)
        assert.equal(statSync(join(target, 'cfn', 'kms.json')).uid, 1000, 'yo ran as uid 1000');
    },
  );
});
