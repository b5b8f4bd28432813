/**
 * `secure-emr [app|<subgenerator>] [options]`: runs the generators from code (run-pieces.ts, the same run the
 * Yeoman generators make under yo), without yo or Yeoman (no root check, no update notifier, faster start). Exit
 * code 0 on success, 1 on any failure, 2 on a usage error, 130 on Ctrl-C.
 */
// Loaded with the entry itself (static imports: no round trip of their own before the keys start). Small and
// plain on purpose, so that they load even on a Node.js the check below refuses.
import { existsSync, readFileSync } from 'node:fs';
import { peekAnswersFile } from '../generators/lib/answers-file-peek.js';
import { KEYS_PER_SET, keyBitsNeeded, reserveRsaKeys } from '../generators/lib/early-keys.js';
import { YO_RC_PATH, parseStoredConfig } from '../generators/lib/stored-config.js';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 17)) {
  process.stderr.write(`secure-emr needs Node.js 20.17 or later; this is ${process.versions.node}.\n`);
  process.exit(1);
}

// Before anything else loads: start the RSA keys this run will need (the private CA's and the leaf's), so they
// are made in parallel on the thread pool while the rest loads.
{
  let stored: Record<string, unknown> | undefined;
  const storedAnswer = (name: string): unknown => {
    try {
      stored ??= parseStoredConfig(readFileSync(YO_RC_PATH, 'utf8'));
    } catch {
      stored = {}; // no or a damaged .yo-rc.json: the run itself reports it
    }
    return stored[name];
  };
  const bits = keyBitsNeeded(
    process.argv.slice(2),
    (p) => existsSync(p),
    () => storedAnswer('certKeySize'),
    () => storedAnswer('certificateSource'),
    peekAnswersFile,
  );
  if (bits !== undefined) reserveRsaKeys(bits, KEYS_PER_SET);
}

/**
 * The checked arguments as options by CLI name: `--name value`, `--name=value`, `--flag`, `--no-flag`,
 * `--flag=true|false` (checkArgs has refused anything else).
 */
function optionValues(args: readonly string[], isFlag: (name: string) => boolean): Map<string, unknown> {
  const values = new Map<string, unknown>();
  for (let i = 0; i < args.length; i++) {
    const arg = (args[i] ?? '').slice(2);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    if (isFlag(name)) values.set(name, inline === undefined ? true : inline === 'true');
    else if (name.startsWith('no-') && isFlag(name.slice(3))) values.set(name.slice(3), false);
    else values.set(name, inline ?? args[++i]);
  }
  return values;
}

async function main(argv: string[]): Promise<number> {
  // Loaded together, and the run's own module meanwhile (each import waits for nothing but its files).
  const running = import('../generators/lib/run-pieces.js');
  running.catch(() => undefined); // a failure surfaces where the run is awaited
  const [{ packageVersion }, { GENERATOR_NAMES }, { UsageError, checkArgs, helpText, optionsOf, unknownGenerator }] =
    await Promise.all([
      import('../generators/lib/paths.js'),
      import('../generators/lib/registry.js'),
      import('../generators/lib/cli.js'),
    ]);
  const first = argv[0];
  const name = first !== undefined && !first.startsWith('-') ? first : 'app';
  const rest = first === name ? argv.slice(1) : argv;
  let args: string[];
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
    args = parsed.args;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`secure-emr: ${error.message}\n`);
    return error.exitCode;
  }
  const flags = new Set(optionsOf(name).flatMap((o) => (o.boolean ? [o.name] : [])));
  const values = optionValues(args, (n) => flags.has(n));
  const { PiecesRun } = await running;
  // The prompt library loads on the first question only (a complete run never asks one).
  let prompt: ((questions: never) => Promise<Record<string, unknown>>) | undefined;
  await new PiecesRun(name, process.cwd(), {
    flag: (n) => values.get(n),
    log: (message) => process.stderr.write(`${message}\n`),
    prompt: async (question) => {
      if (prompt === undefined) {
        const { createPromptModule } = await import('inquirer');
        prompt = createPromptModule({ skipTTYChecks: true, input: process.stdin, output: process.stdout }) as never;
      }
      return (await prompt([question] as never))[question.name];
    },
  }).run();
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
