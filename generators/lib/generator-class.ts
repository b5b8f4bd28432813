/**
 * The Yeoman glue, kept thin: options from the answer declarations and the piece registry, the yo command-line
 * check, quiet Yeoman output, and one step of the run (run-pieces.ts, which the `secure-emr` bin calls too) per
 * Yeoman task. Every decision is made in run-pieces.ts and the pure modules it calls.
 */
import { basename } from 'node:path';
import Generator from 'yeoman-generator';
import { ANSWER_SPECS, optionName } from './answers.js';
import { RUN_OPTIONS, UsageError, YEOMAN_OPTIONS, checkArgs, helpText } from './cli.js';
import type { Question } from './prompts.js';
import { packageVersion } from './paths.js';
import { piecesOf } from './registry.js';
import { PiecesRun } from './run-pieces.js';

export { RUN_OPTIONS };
export { findProjectRoot } from './run-pieces.js';

/** Set by code that checks the arguments before Yeoman runs; under yo the generator checks. */
export const ARGV_CHECKED = Symbol.for('generator-secure-emr.argv-checked');

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

export abstract class SecureEmrGenerator extends Generator {
  /** The generator's name in the registry: `app` or a piece. */
  protected abstract readonly generatorName: string;

  private _run!: PiecesRun;
  /** Options given twice with the same value on yo's command line (see _checkYoCommandLine). */
  private repeatedOptions: Record<string, string> = {};

  constructor(args: string[], options: Generator['options']) {
    // customInstallTask: no package manager install (and no "No change to package.json" line): nothing to install.
    super(args, options, { inheritTasks: true, unique: 'namespace', customInstallTask: true } as never);
    for (const spec of ANSWER_SPECS) {
      this.option(optionName(spec.name), {
        type: spec.kind === 'boolean' ? Boolean : String,
        description: spec.description,
      });
    }
    for (const option of RUN_OPTIONS) this.option(option.name, { type: option.type, description: option.description });
  }

  /**
   * Yeoman's storage would read .yo-rc.json (and ~/.yo-rc-global.json) in the constructor and fail on a damaged
   * file with its own message, and prompts would write raw answers into them. This tool reads and writes
   * .yo-rc.json itself (stored-config.ts): Yeoman gets a storage on a path that is never on disk.
   */
  override _getStorage(): ReturnType<Generator['_getStorage']> {
    return this.createStorage('.secure-emr/yeoman-storage-unused.json');
  }

  override _getGlobalStorage(): ReturnType<Generator['_getGlobalStorage']> {
    return this.createStorage('.secure-emr/yeoman-storage-unused.json');
  }

  /** An option by its CLI name, whether it came from argv (kebab-case) or from code (camelCase). */
  private flag(name: string): unknown {
    const options = this.options as Record<string, unknown>;
    // Under yo an option given twice (same value, or the check refused it) arrives joined: take the one value.
    const repeated = this.repeatedOptions[name];
    if (repeated !== undefined) return repeated;
    return options[name] ?? options[camel(name)];
  }

  /** `--help` under yo: the same text as the bin's, for the yo command. */
  override help(): string {
    return helpText(this.generatorName, 'yo');
  }

  // ---- tasks: one step of the run each ----------------------------------------------------------------

  async initializing(): Promise<void> {
    this._quietYeoman();
    this._checkYoCommandLine();
    this._run = new PiecesRun(this.generatorName, this.destinationRoot(), {
      flag: (name) => this.flag(name),
      log: (message) => this.log(message),
      // The adapter directly: Generator#prompt would prefill from and store into Yeoman's config files.
      prompt: async (question: Question) => {
        const answers = (await this.env.adapter.prompt([question] as never, {})) as Record<string, unknown>;
        return answers[question.name];
      },
    });
    try {
      await this._run.initialize();
    } finally {
      if (this._run.root !== this.destinationRoot()) this.destinationRoot(this._run.root);
    }
  }

  async writing(): Promise<void> {
    await this._run.write();
  }

  end(): void {
    this._run.end();
  }

  // ---- command line, output ----------------------------------------------------------------------------

  /**
   * Under yo (the bin checks before Yeoman runs): unknown options, misspelt flags, values given to flags are
   * refused with a suggestion and exit code 2, before any question or write.
   */
  private _checkYoCommandLine(): void {
    if ((globalThis as Record<symbol, unknown>)[ARGV_CHECKED] === true) return;
    const [, script = '', namespace = '', ...rest] = process.argv;
    if (basename(script) !== 'yo' && basename(script) !== 'cli.js') return;
    if (!namespace.startsWith('secure-emr')) return;
    try {
      const parsed = checkArgs(this.generatorName, rest, YEOMAN_OPTIONS);
      if (parsed.version) {
        process.stdout.write(`${packageVersion()}\n`);
        process.exit(0);
      }
      this.repeatedOptions = parsed.repeated;
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      process.stderr.write(
        `yo ${namespace}: ${error.message.replace(/`secure-emr( \S+)? --help`/, `\`yo ${namespace} --help\``)}\n`,
      );
      process.exit(2);
    }
  }

  /**
   * Only this tool's lines: Yeoman's per-file status lines (create, force, identical, skip) give way to the
   * summary, and the "An error occured while running ..." line to the error itself.
   */
  private _quietYeoman(): void {
    const log = this.env.adapter.log as unknown as Record<string, unknown>;
    if (log.__secureEmrQuiet === true) return;
    log.__secureEmrQuiet = true;
    for (const status of ['create', 'force', 'identical', 'skip']) log[status] = () => log;
    const error = log.error as ((...a: unknown[]) => unknown) | undefined;
    log.error = (...a: unknown[]) =>
      typeof a[0] === 'string' && a[0].startsWith('An error occured while running') ? log : error?.apply(log, a);
  }
}

/** The generator class of a registry name; each generators/<name>/index.ts exports exactly this. */
export function generatorClass(name: string): typeof SecureEmrGenerator {
  piecesOf(name);
  const pieceFlags = name === 'app' ? [] : (piecesOf(name)[0]?.flags ?? []);
  return class extends SecureEmrGenerator {
    protected readonly generatorName = name;

    constructor(args: string[], options: Generator['options']) {
      super(args, options);
      for (const flag of pieceFlags) this.option(flag.name, { type: Boolean, description: flag.description });
    }
  };
}
