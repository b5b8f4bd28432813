/**
 * The Yeoman glue, kept thin: options from the answer declarations and the piece registry, then the pure steps
 * in order (answer intake, state, the piece's `before` step, model, render, write plan, summary). Every decision
 * is made in those modules; this class only moves values between them and Yeoman's file system.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
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
import { YO_RC_PATH, parseStoredConfig, storedConfigText } from './stored-config.js';
import { ProjectWriter, acquireLock, recoverStagedSet, writeStagedSet } from './writer.js';
import type { Lock } from './writer.js';
import { summaryLines } from './summary.js';
import { sshNeedsConfirmation } from './validate.js';
import { emptyDecisions, manifestFile, planWrites } from './write-plan.js';
import type { PlannedDecision } from './write-plan.js';

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
        // A damaged .yo-rc.json: treated as the project, so that reading it says what is wrong and how to fix it.
        return dir;
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
  private writer!: ProjectWriter;
  private lock: Lock | undefined;
  private stored: Record<string, unknown> = {};
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
    await this._releasingOnError(() => this._initialize());
  }

  private async _initialize(): Promise<void> {
    this._quietYeoman();
    this._checkYoCommandLine();
    this._locateProject();
    this.writer = new ProjectWriter(this.destinationRoot());
    // A dry run writes nothing, not even the lock (a concurrent run's staged key material is never read half-done).
    let recovered: number | undefined;
    if (!this.isDryRun) {
      this.lock = acquireLock(this.writer);
      if (this.lock.note) this.notes.push(this.lock.note);
      const recovery = recoverStagedSet(this.writer);
      if (recovery) {
        this.notes.push(recovery.note);
        recovered = recovery.version;
      }
    }
    this.stored = parseStoredConfig(this._readDisk(YO_RC_PATH)?.toString('utf8'));
    this.answers = await this._intake();
    const { state, notes } = readState(this.stored, this._readDisk(PROJECT_ENV_PATH)?.toString('utf8'));
    this.storedState = state;
    this.state =
      recovered !== undefined && recovered > state.certificateVersion ? { certificateVersion: recovered } : state;
    this.notes.push(...notes);
    const piece = this.pieces.length === 1 ? this.pieces[0] : undefined;
    if (!piece?.before) return;
    const decided = piece.before({
      model: buildModel(this.answers, this.state),
      readExisting: (path) => this._readDisk(path),
      modeOf: (path) => this._modeOf(path),
      dryRun: this.isDryRun,
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
    await this._releasingOnError(() => this._write());
  }

  private async _write(): Promise<void> {
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
    // Every path is checked (inside the project, no symlinks) before the first byte is written.
    for (const action of plan.actions) this.writer.resolve(action.kind === 'write' ? action.file.path : action.path);
    if (this.isDryRun) return;
    const writes = plan.actions.flatMap((a) => (a.kind === 'write' ? [a.file] : []));
    // Order: archives of key material, the new key-material set (staged, then moved in as one), the other
    // files, removals; then the state: the manifest, and .yo-rc.json last.
    for (const file of writes.filter((f) => f.secret && !f.keySet))
      this.writer.write(file.path, file.contents, file.mode ?? 0o600);
    const keySet = writes.filter((f) => f.keySet);
    if (keySet.length > 0) {
      writeStagedSet(this.writer, {
        version: this.state.certificateVersion,
        files: keySet.map((f) => ({ path: f.path, contents: f.contents, mode: f.mode ?? 0o600 })),
      });
    }
    for (const file of writes.filter((f) => !f.secret)) this.writer.write(file.path, file.contents, file.mode ?? 0o644);
    for (const action of plan.actions) if (action.kind === 'delete') this.writer.remove(action.path);
    // The state files are rewritten only when their contents change (a run with no changes touches nothing).
    const writeIfChanged = (path: string, contents: string): void => {
      if (this._readDisk(path)?.toString('utf8') !== contents) this.writer.write(path, contents);
    };
    const manifest = manifestFile(plan.manifest);
    writeIfChanged(manifest.path, String(manifest.contents));
    const stored = { ...this.answers, certificateVersion: this.state.certificateVersion };
    writeIfChanged(YO_RC_PATH, storedConfigText(this._readDisk(YO_RC_PATH)?.toString('utf8'), stored));
  }

  end(): void {
    this.lock?.release();
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

  /** Runs a task; on failure the lock is released before the error goes on to Yeoman. */
  private async _releasingOnError(task: () => Promise<void>): Promise<void> {
    try {
      await task();
    } catch (error) {
      this.lock?.release();
      throw error;
    }
  }

  // ---- steps -------------------------------------------------------------------------------------------

  /**
   * Renders this generator's pieces; when the state moved (a rotation), also every other piece whose files
   * depend on it (found by rendering it at both states), so that nothing names the old certificate version.
   */
  private async _render(model: Model): Promise<Rendered> {
    const ctx = (m: Model) => ({
      model: m,
      root: this.destinationRoot(),
      readExisting: (path: string) => this._readDisk(path),
      modeOf: (path: string) => this._modeOf(path),
      dryRun: this.isDryRun,
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
        stored: this.stored,
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
    if (answers.sshCidr !== undefined && sshNeedsConfirmation(answers.sshCidr)) {
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
          // The adapter directly: Generator#prompt would prefill from and store into Yeoman's config files.
          const answers = (await this.env.adapter.prompt([question] as never, {})) as Record<string, unknown>;
          return answers[question.name];
        },
        (line) => this.log(line),
        this.flag('defaults') === true,
      );
    } catch (error) {
      if (error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError')) {
        this.lock?.release();
        process.stderr.write('\nInterrupted: nothing was written.\n');
        process.exit(130);
      }
      throw error;
    }
  }

  /** A file of the project as it is on disk; a symlink or a path outside the project is refused. */
  private _readDisk(path: string): Buffer | undefined {
    return this.writer.read(path);
  }

  private _modeOf(path: string): number | undefined {
    try {
      return statSync(this.writer.resolve(path)).mode;
    } catch {
      return undefined;
    }
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
