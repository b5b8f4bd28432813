/**
 * Issue 10: the bundle stays safe: dependencies the build patches are pinned exactly, what is bundled is not
 * also a runtime dependency, and every bundled package's licence ships in dist/THIRD-PARTY-LICENSES.txt.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, readJson } from './support/helpers.js';

type PackageJson = { dependencies: Record<string, string>; devDependencies: Record<string, string>; files: string[] };
const pkg = readJson<PackageJson>(join(ROOT, 'package.json'));
const bundled = readJson<string[]>(join(ROOT, 'dist', 'bundled-packages.json'));

describe('package and bundle', () => {
  it('the packages scripts/bundle.ts patches are pinned to exact versions', () => {
    const source = readFileSync(join(ROOT, 'scripts', 'bundle.ts'), 'utf8');
    // yeoman-environment and @yeoman/adapter are no longer bundled (issue 17): the bin runs run-pieces.ts and asks
    // through inquirer itself; under yo, yo brings its own environment and adapter.
    const patched = ['yeoman-generator'];
    for (const name of patched) {
      assert.ok(source.includes(name.replace('/', '[\\\\/]')) || source.includes(name), `bundle.ts patches ${name}`);
      assert.match(pkg.devDependencies[name] ?? '', /^\d+\.\d+\.\d+$/, `${name} pinned exactly`);
      assert.ok(bundled.includes(name), `${name} is bundled`);
    }
  });

  it('nothing bundled is also a runtime dependency; runtime dependencies are what the bundle leaves outside', () => {
    assert.ok(bundled.length > 10, `${bundled.length} bundled packages`);
    for (const name of Object.keys(pkg.dependencies))
      assert.ok(!bundled.includes(name), `${name} is bundled and a dependency`);
    assert.deepEqual(Object.keys(pkg.dependencies).sort(), ['@aws-sdk/client-sts', 'inquirer']);
  });

  it('every bundled package has its licence in dist/THIRD-PARTY-LICENSES.txt, which the package ships', () => {
    const text = readFileSync(join(ROOT, 'dist', 'THIRD-PARTY-LICENSES.txt'), 'utf8');
    for (const name of bundled)
      assert.match(text, new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}@\\d`, 'm'), name);
    assert.ok(pkg.files.includes('dist/THIRD-PARTY-LICENSES.txt'));
    assert.ok(pkg.files.includes('LICENSE'));
    assert.match(readFileSync(join(ROOT, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0/);
  });
});
