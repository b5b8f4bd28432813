/**
 * The Yeoman glue, kept thin: options from the answer declarations and the piece registry, then the pure steps
 * in order (answer intake, state, the piece's `before` step, model, render, write plan, summary). Every decision
 * is made in those modules; this class only moves values between them and Yeoman's file system.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Generator from 'yeoman-generator';
import { ANSWER_SPECS, optionName, regionFromEnvironment } from './answers.js';
import type { AnswerSpec, Answers } from './answers.js';
import { intakeAnswers } from './answer-intake.js';
import { RUN_OPTIONS, UsageError, YEOMAN_OPTIONS, checkArgs, helpText } from './cli.js';
import { nextSteps } from './next-steps.js';
import { askInOrder } from './prompts.js';
import type { Question } from './prompts.js';
import { readAnswersFile } from './answers-file.js';
import { lookupAccountId } from './aws-account.js';
import { MANIFEST_PATH, parseManifest } from './manifest.js';
import { buildModel } from './model.js';
import type { Model, State } from './model.js';
import { packageVersion } from './paths.js';
import type { OutputFile, Piece } from './piece.js';
import { PIECES, piecesOf } from './registry.js';
import { formatFor } from './render.js';
import { PROJECT_ENV_PATH, readState } from './state.js';
import { summaryLines } from './summary.js';
import { releaseLabelWarning, sshNeedsConfirmation } from './validate.js';
import { emptyDecisions, manifestFile, planWrites } from './write-plan.js';
import type { Action, PlannedDecision } from './write-plan.js';

export { RUN_OPTIONS };

/** Set by the `secure-emr` bin, which checks its arguments before Yeoman runs; under yo the generator checks. */
export const ARGV_CHECKED = Symbol.for('generator-secure-emr.argv-checked');

/**
 * The project root for a subgenerator: the nearest folder at or above `start` whose .yo-rc.json has a
 * generator-secure-emr entry (as Yeoman finds .yo-rc.json), or undefined.
 */
export function findProjectRoot(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const file = join(dir, '.yo-rc.json');
    if (existsSync(file)) {
      try {
        const parsed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
        if (parsed['generator-secure-emr'] !== undefined) return dir;
      } catch {
        // An unreadable .yo-rc.json is not a project of ours; keep looking above.
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

type Rendered = Array<{ piece: string; files: OutputFile[] }>;

const format = (file: OutputFile): OutputFile =>
  typeof file.contents === 'string' ? { ...file, contents: formatFor(file.path, file.contents) } : file;

export abstract class SecureEmrGenerator extends Generator {
  /** The generator's name in the registry: `app` or a piece. */
  protected abstract readonly generatorName: string;

  private answers!: Answers;
  private storedState!: State;
  private state!: State;
  private reportOnly = false;
  private decisions: Record<PlannedDecision, string[]> = emptyDecisions();
  private readonly notes: string[] = [];
  /** A subgenerator run where no project is found: refused in initializing, before any question. */
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

  protected get pieces(): readonly Piece[] {
    return piecesOf(this.generatorName);
  }

  /** An option by its CLI name, whether it came from argv (kebab-case) or from code (camelCase). */
  private flag(name: string): unknown {
    const options = this.options as Record<string, unknown>;
    // Under yo an option given twice (same value, or the check refused it) arrives joined: take the one value.
    const repeated = this.repeatedOptions[name];
    if (repeated !== undefined) return repeated;
    return options[name] ?? options[camel(name)];
  }

  private get isDryRun(): boolean {
    return this.flag('dry-run') === true;
  }

  /** The flags of this generator's own piece (only a single-piece generator has any). */
  private pieceFlags(): Record<string, boolean> {
    const piece = this.pieces.length === 1 ? this.pieces[0] : undefined;
    return Object.fromEntries((piece?.flags ?? []).map((f) => [f.name, this.flag(f.name) === true]));
  }

  /** `--help` under yo: the same text as the bin's, for the yo command. */
  override help(): string {
    return helpText(this.generatorName, 'yo');
  }

  // ---- tasks -------------------------------------------------------------------------------------------

  async initializing(): Promise<void> {
    this._quietYeoman();
    this._checkYoCommandLine();
    this._locateProject();
    this.answers = await this._intake();
    const stored = this.config.getAll() as Record<string, unknown>;
    const { state, notes } = readState(stored, this._readDisk(PROJECT_ENV_PATH)?.toString('utf8'));
    this.storedState = state;
    this.state = state;
    this.notes.push(...notes);
    const piece = this.pieces.length === 1 ? this.pieces[0] : undefined;
    if (!piece?.before) return;
    const decided = piece.before({
      model: buildModel(this.answers, this.state),
      readExisting: (path) => this._readDisk(path),
      flags: this.pieceFlags(),
    });
    if (decided.kind === 'report') {
      this.reportOnly = true;
      this.log(decided.lines.join('\n'));
      if (!decided.ok) throw new Error(decided.failure);
      return;
    }
    this.state = decided.state;
    this.notes.push(...decided.notes);
  }

  async writing(): Promise<void> {
    if (this.reportOnly) return;
    const model = buildModel(this.answers, this.state);
    const rendered = await this._render(model);
    const previous = this._readDisk(MANIFEST_PATH)?.toString('utf8');
    const plan = planWrites({
      rendered,
      readDisk: (path) => this._readDisk(path),
      manifest: parseManifest(previous, packageVersion()),
      version: packageVersion(),
      force: this.flag('force') === true,
    });
    this.decisions = plan.decisions;
    if (this.isDryRun) return;
    for (const action of plan.actions) this._apply(action);
    // State last: the manifest and .yo-rc.json describe files already queued.
    this._apply({ kind: 'write', file: manifestFile(plan.manifest), replacing: previous !== undefined });
    this.config.set({ ...this.answers, certificateVersion: this.state.certificateVersion });
  }

  end(): void {
    if (this.reportOnly) return;
    this.log(summaryLines(this.decisions, this.isDryRun, this.notes).join('\n'));
    if (this.generatorName === 'app' && !this.isDryRun) this.log(['', ...nextSteps(this.answers)].join('\n'));
  }

  // ---- command line, project, output -------------------------------------------------------------------

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

  /** A subgenerator works on the project found at or above the folder it runs in; without one it refuses. */
  private _locateProject(): void {
    if (this.generatorName === 'app') return;
    const start = this.destinationRoot();
    const root = findProjectRoot(start);
    if (root === undefined) {
      throw new Error(
        `No secure-emr project in ${start} or above it (no .yo-rc.json with a generator-secure-emr entry); nothing was written.\n` +
          `Create one first with \`secure-emr\` (or \`yo secure-emr\`), or run ${this.generatorName} from inside a project.`,
      );
    }
    if (root !== start) this.destinationRoot(root);
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

  // ---- steps -------------------------------------------------------------------------------------------

  /**
   * Renders this generator's pieces; when the state moved (a rotation), also every other piece whose files
   * depend on it (found by rendering it at both states), so that nothing names the old certificate version.
   */
  private async _render(model: Model): Promise<Rendered> {
    const ctx = (m: Model) => ({
      model: m,
      readExisting: (path: string) => this._readDisk(path),
      flags: this.pieceFlags(),
      log: (message: string) => this.notes.push(message),
    });
    const own = this.pieces;
    let pieces = own;
    if (this.state.certificateVersion !== this.storedState.certificateVersion) {
      const before = buildModel(this.answers, this.storedState);
      const quiet = (m: Model) => ({ ...ctx(m), log: () => undefined });
      const others = PIECES.filter((p) => !own.includes(p) && !p.before);
      const moved = await Promise.all(
        others.map(
          async (p) => JSON.stringify(await p.render(quiet(before))) !== JSON.stringify(await p.render(quiet(model))),
        ),
      );
      pieces = [...own, ...others.filter((_p, i) => moved[i])];
    }
    // Pieces render concurrently: key generation runs on the thread pool while the other pieces render.
    return Promise.all(
      pieces.map(async (piece) => ({ piece: piece.name, files: (await piece.render(ctx(model))).map(format) })),
    );
  }

  private async _intake(): Promise<Answers> {
    const options: Record<string, unknown> = {};
    for (const spec of ANSWER_SPECS) options[spec.name] = this.flag(optionName(spec.name));
    const useDefaults = this.flag('defaults') === true;
    const forced = this.flag('interactive');
    // --defaults on a terminal still asks what has no default.
    const interactive = typeof forced === 'boolean' ? forced : process.stdin.isTTY === true;
    const answers = await intakeAnswers({
      sources: {
        options,
        file: readAnswersFile(this.flag('answers')),
        stored: this.config.getAll() as Record<string, unknown>,
      },
      useDefaults,
      interactive,
      lookupAccount: async (known) =>
        this.flag('offline') === true
          ? { reason: '--offline' }
          : lookupAccountId(known.region ?? regionFromEnvironment(process.env) ?? 'us-east-1'),
      ask: (known, specs) => this._ask(known, specs),
      log: (line) => this.log(line),
    });
    const warning = releaseLabelWarning(answers.releaseLabel);
    if (warning) this.log(`Warning: ${warning}.`);
    if (sshNeedsConfirmation(answers.sshCidr)) {
      this.log(
        `Warning: SSH to the bastion is open to a wide public range (sshCidr ${answers.sshCidr}, confirmed). Narrow it as soon as you can.`,
      );
    }
    return answers;
  }

  /** The missing answers, one prompt at a time (prompts.ts); Ctrl-C leaves with 130 and nothing written. */
  private async _ask(known: Partial<Answers>, specs: readonly AnswerSpec[]): Promise<Record<string, unknown>> {
    try {
      return await askInOrder(
        known,
        specs,
        async (question: Question) => {
          const answers = (await this.prompt([question] as never)) as Record<string, unknown>;
          return answers[question.name];
        },
        (line) => this.log(line),
        this.flag('defaults') === true,
      );
    } catch (error) {
      if (error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError')) {
        process.stderr.write('\nInterrupted: nothing was written.\n');
        process.exit(130);
      }
      throw error;
    }
  }

  /** A file of the destination as it is on disk (not as mem-fs would have it after this run). */
  private _readDisk(path: string): Buffer | undefined {
    try {
      return readFileSync(this.destinationPath(path));
    } catch {
      return undefined;
    }
  }

  /**
   * Queues one action for Yeoman's commit. `replacing`: the decision to overwrite was made by the write plan
   * (manifest or --force), so Yeoman's conflicter is told to write it rather than ask again.
   */
  private _apply(action: Action): void {
    if (action.kind === 'delete') {
      // The write plan decided (an unedited orphan): Yeoman's conflicter is told not to ask.
      const path = this.destinationPath(action.path);
      this.fs.delete(path);
      (this.fs.store.get(path) as { conflicter?: string }).conflicter = 'force';
      return;
    }
    const { file } = action;
    const path = this.destinationPath(file.path);
    this.fs.write(path, file.contents, file.mode === undefined ? undefined : ({ stat: { mode: file.mode } } as never));
    if (action.replacing) (this.fs.store.get(path) as { conflicter?: string }).conflicter = 'force';
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
