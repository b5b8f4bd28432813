/**
 * `secure-emr [app|<subgenerator>] [options]`: runs the generators from code, without yo (no root check, no
 * update notifier, faster start). Exit code 0 on success, 1 on any failure, 2 on a usage error, 130 on Ctrl-C.
 */
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 17)) {
  process.stderr.write(`secure-emr needs Node.js 20.17 or later; this is ${process.versions.node}.\n`);
  process.exit(1);
}

// Before anything else loads: start the RSA key this run will need, so it is made while the rest loads.
{
  const { existsSync, readFileSync } = await import('node:fs');
  const { keyBitsNeeded, startRsaKey } = await import('../generators/lib/early-keys.js');
  const { YO_RC_PATH, parseStoredConfig } = await import('../generators/lib/stored-config.js');
  const storedKeySize = (): unknown => {
    try {
      return parseStoredConfig(readFileSync(YO_RC_PATH, 'utf8')).certKeySize;
    } catch {
      return undefined; // no or a damaged .yo-rc.json: the run itself reports it
    }
  };
  const bits = keyBitsNeeded(process.argv.slice(2), (p) => existsSync(p), storedKeySize);
  if (bits !== undefined) startRsaKey(bits);
}

/** Set here so that the generators do not check the arguments again (they do under yo). */
const ARGV_CHECKED = Symbol.for('generator-secure-emr.argv-checked');

async function main(argv: string[]): Promise<number> {
  const { PACKAGE_ROOT, packageVersion } = await import('../generators/lib/paths.js');
  const { GENERATOR_NAMES } = await import('../generators/lib/registry.js');
  const { UsageError, checkArgs, helpText, unknownGenerator } = await import('../generators/lib/cli.js');
  const first = argv[0];
  const name = first !== undefined && !first.startsWith('-') ? first : 'app';
  let rest = first === name ? argv.slice(1) : argv;
  try {
    if (!GENERATOR_NAMES.includes(name)) throw unknownGenerator(name);
    const parsed = checkArgs(name, rest);
    if (parsed.help) {
      process.stdout.write(`${helpText(name, 'bin')}\n`);
      return 0;
    }
    if (parsed.version) {
      process.stdout.write(`${packageVersion()}\n`);
      return 0;
    }
    rest = parsed.args;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`secure-emr: ${error.message}\n`);
    return error.exitCode;
  }
  (globalThis as Record<symbol, unknown>)[ARGV_CHECKED] = true;
  const { createEnv } = await import('yeoman-environment');
  const { generatorClass } = await import('../generators/lib/generator-class.js');
  const env = createEnv({ skipInstall: true });
  for (const g of GENERATOR_NAMES)
    env.register(generatorClass(g), { namespace: `secure-emr:${g}`, packagePath: PACKAGE_ROOT });
  await env.run([`secure-emr:${name}`, ...rest]);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // One clear message; the stack only with DEBUG set.
    const detail = process.env.DEBUG && error instanceof Error ? `\n${error.stack ?? ''}` : '';
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}${detail}\n`);
    process.exitCode = 1;
  },
);
