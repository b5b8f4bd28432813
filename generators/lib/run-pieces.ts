/**
 * One run of a generator (`app` or a piece), from code: answer intake, state, the piece's `before` step, model,
 * render, write plan, writes and summary, in three steps (`initialize`, `write`, `end`). Both entries call it, so
 * their behaviour cannot diverge: the Yeoman class (generator-class.ts, for `yo secure-emr[:<piece>]`) runs one
 * step per Yeoman task; the `secure-emr` bin runs the three in a row without loading Yeoman at all. What differs
 * between them comes in as `RunIo`: how an option is read, how a line is logged, how a question is asked.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ANSWER_SPECS, optionName, regionFromEnvironment } from './answers.js';
import type { AnswerSpec, Answers } from './answers.js';
import { intakeAnswers } from './answer-intake.js';
import { nextSteps } from './next-steps.js';
import { askInOrder } from './prompts.js';
import type { Question } from './prompts.js';
import { readAnswersFile } from './answers-file.js';
import { lookupAccountId } from './aws-account.js';
import { MANIFEST_PATH, parseManifest } from './manifest.js';
import { buildModel } from './model.js';
import type { Model, State } from './model.js';
import { packageVersion } from './paths.js';
import { whenReady } from './piece.js';
import type { OutputFile, Piece } from './piece.js';
import { PIECES, piecesOf } from './registry.js';
import { formatFor } from './render.js';
import { PROJECT_ENV_PATH, readState } from './state.js';
import { YO_RC_PATH, parseStoredConfig, storedConfigText } from './stored-config.js';
import { ProjectWriter, acquireLock, clearStage, recoverStagedSet, writeStagedSet } from './writer.js';
import type { Lock } from './writer.js';
import { summaryLines } from './summary.js';
import { sshNeedsConfirmation } from './validate.js';
import { emptyDecisions, manifestFile, pendingPaths, planPending, planWrites } from './write-plan.js';
import type { PlannedDecision } from './write-plan.js';

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

/** What an entry gives a run: its options, its output and its prompt. */
export interface RunIo {
  /** An option by its CLI name (kebab-case), as given; undefined when not given. */
  flag(name: string): unknown;
  /** One line (or several, joined by newlines) of the run's output. */
  log(message: string): void;
  /** Asks one question; returns the raw answer. Rejects with inquirer's ExitPromptError on Ctrl-C. */
  prompt(question: Question): Promise<unknown>;
}

type Rendered = Array<{ piece: string; files: OutputFile[] }>;

/** Formats a text file by its name (render.ts), once its contents are ready. */
function format(file: OutputFile): OutputFile {
  const { contents, path } = file;
  if (typeof contents === 'string') return { ...file, contents: formatFor(path, contents) };
  if (!(contents instanceof Promise)) return file;
  const later = contents.then((c) => (typeof c === 'string' ? formatFor(path, c) : c));
  later.catch(() => undefined); // a failure surfaces where the run waits for the file
  return { ...file, contents: later };
}

export class PiecesRun {
  /** The project folder: the folder the run started in, or (for a subgenerator) the project found above it. */
  root: string;
  private answers!: Answers;
  private storedState!: State;
  private state!: State;
  private reportOnly = false;
  private decisions: Record<PlannedDecision, string[]> = emptyDecisions();
  private readonly notes: string[] = [];
  private writer!: ProjectWriter;
  private lock: Lock | undefined;
  private stored: Record<string, unknown> = {};

  constructor(
    /** The generator's name in the registry: `app` or a piece. */
    readonly generatorName: string,
    start: string,
    private readonly io: RunIo,
  ) {
    this.root = start;
  }

  private get pieces(): readonly Piece[] {
    return piecesOf(this.generatorName);
  }

  private get isDryRun(): boolean {
    return this.io.flag('dry-run') === true;
  }

  /** The flags of this generator's own piece (only a single-piece generator has any). */
  private pieceFlags(): Record<string, boolean> {
    const piece = this.pieces.length === 1 ? this.pieces[0] : undefined;
    return Object.fromEntries((piece?.flags ?? []).map((f) => [f.name, this.io.flag(f.name) === true]));
  }

  /** All three steps in a row (the bin). */
  async run(): Promise<void> {
    await this.initialize();
    await this.write();
    this.end();
  }

  /** Finds the project, takes the lock, reads the answers and the state, runs the piece's `before` step. */
  async initialize(): Promise<void> {
    await this.releasingOnError(() => this.doInitialize());
  }

  private async doInitialize(): Promise<void> {
    this.locateProject();
    this.writer = new ProjectWriter(this.root);
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
    this.stored = parseStoredConfig(this.readDisk(YO_RC_PATH)?.toString('utf8'));
    this.answers = await this.intake();
    const { state, notes } = readState(this.stored, this.readDisk(PROJECT_ENV_PATH)?.toString('utf8'));
    this.storedState = state;
    this.state =
      recovered !== undefined && recovered > state.certificateVersion ? { certificateVersion: recovered } : state;
    this.notes.push(...notes);
    const piece = this.pieces.length === 1 ? this.pieces[0] : undefined;
    if (!piece?.before) return;
    const decided = piece.before({
      model: buildModel(this.answers, this.state),
      readExisting: (path) => this.readDisk(path),
      modeOf: (path) => this.modeOf(path),
      dryRun: this.isDryRun,
      flags: this.pieceFlags(),
    });
    if (decided.kind === 'report') {
      this.reportOnly = true;
      this.io.log(decided.lines.join('\n'));
      if (!decided.ok) throw new Error(decided.failure);
      return;
    }
    this.state = decided.state;
    this.notes.push(...decided.notes);
  }

  /** Renders, plans and writes (nothing in a dry run or after a report). */
  async write(): Promise<void> {
    await this.releasingOnError(() => this.doWrite());
  }

  private async doWrite(): Promise<void> {
    if (this.reportOnly) return;
    const model = buildModel(this.answers, this.state);
    const rendered = await this.render(model);
    const previous = this.readDisk(MANIFEST_PATH)?.toString('utf8');
    const plan = planWrites({
      rendered,
      readDisk: (path) => this.readDisk(path),
      manifest: parseManifest(previous, packageVersion()),
      version: packageVersion(),
      force: this.io.flag('force') === true,
    });
    this.decisions = plan.decisions;
    // Every path is checked (inside the project, no symlinks) before the first byte is written.
    for (const action of plan.actions) this.writer.resolve(action.kind === 'write' ? action.file.path : action.path);
    for (const path of pendingPaths(plan)) this.writer.resolve(path);
    if (this.isDryRun) return;
    const writes = plan.actions.flatMap((a) => (a.kind === 'write' ? [a.file] : []));
    const ready = async (files: OutputFile[], mode: number) =>
      (await Promise.all(files.map(whenReady))).map((f) => ({
        path: f.path,
        contents: f.contents,
        mode: f.mode ?? mode,
      }));
    const others = writes.filter((f) => !f.secret);
    // A rotation moves the certificate version: the other files then name the new set, so they follow it. Otherwise
    // they do not depend on the new set and are written while its keys are still being made (on the thread pool).
    const othersFollowSet = this.state.certificateVersion !== this.storedState.certificateVersion;
    // The state files are rewritten only when their contents change (a run with no changes touches nothing).
    const writeIfChanged = (path: string, contents: string): void => {
      if (this.readDisk(path)?.toString('utf8') !== contents) this.writer.write(path, contents);
    };
    const writeManifest = () => writeIfChanged(MANIFEST_PATH, String(manifestFile(plan.manifest).contents));
    const removeOrphans = () => {
      for (const action of plan.actions) if (action.kind === 'delete') this.writer.remove(action.path);
    };
    // Order: archives of key material; the other files, unless they follow the set, with the removals and the
    // manifest of what is on disk so far (a run stopped while its keys are made leaves a project a re-run with
    // other answers updates, not one whose files look edited); the new key-material set (staged, then moved in as
    // one); the file documenting it, and the other files if they follow the set; removals; then the state: the
    // manifest, and .yo-rc.json last; the stage's marker (which names the set's version) goes after them.
    await this.writer.writeAll(
      await ready(
        writes.filter((f) => f.secret && !f.keySet),
        0o600,
      ),
    );
    if (!othersFollowSet) {
      await this.writer.writeAll(await ready(others, 0o644));
      removeOrphans();
      writeManifest();
    }
    const keySet = await ready(
      writes.filter((f) => f.keySet),
      0o600,
    );
    if (keySet.length > 0) await writeStagedSet(this.writer, { version: this.state.certificateVersion, files: keySet });
    const documenting = planPending(
      plan,
      await Promise.all(plan.pending.map(async ({ piece, file }) => ({ piece, file: await whenReady(file) }))),
      { readDisk: (path) => this.readDisk(path), version: packageVersion(), force: this.io.flag('force') === true },
    ).flatMap((a) => (a.kind === 'write' ? [a.file] : []));
    await this.writer.writeAll(await ready([...(othersFollowSet ? others : []), ...documenting], 0o644));
    if (othersFollowSet) removeOrphans();
    writeManifest();
    const stored = { ...this.answers, certificateVersion: this.state.certificateVersion };
    writeIfChanged(YO_RC_PATH, storedConfigText(this.readDisk(YO_RC_PATH)?.toString('utf8'), stored));
    clearStage(this.writer);
  }

  /** Releases the lock; prints the summary and, after a project run, the next steps. */
  end(): void {
    this.lock?.release();
    if (this.reportOnly) return;
    this.io.log(summaryLines(this.decisions, this.isDryRun, this.notes).join('\n'));
    if (this.generatorName === 'app' && !this.isDryRun) this.io.log(['', ...nextSteps(this.answers)].join('\n'));
  }

  /** A subgenerator works on the project found at or above the folder it runs in; without one it refuses. */
  private locateProject(): void {
    if (this.generatorName === 'app') return;
    const start = this.root;
    const root = findProjectRoot(start);
    if (root === undefined) {
      throw new Error(
        `No secure-emr project in ${start} or above it (no .yo-rc.json with a generator-secure-emr entry); nothing was written.\n` +
          `Create one first with \`secure-emr\` (or \`yo secure-emr\`), or run ${this.generatorName} from inside a project.`,
      );
    }
    this.root = root;
  }

  /** Runs a step; on failure the lock is released before the error goes on. */
  private async releasingOnError(step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (error) {
      this.lock?.release();
      throw error;
    }
  }

  /**
   * Renders this generator's pieces; when the state moved (a rotation), also every other piece whose files
   * depend on it (found by rendering it at both states), so that nothing names the old certificate version.
   */
  private async render(model: Model): Promise<Rendered> {
    const ctx = (m: Model) => ({
      model: m,
      root: this.root,
      readExisting: (path: string) => this.readDisk(path),
      modeOf: (path: string) => this.modeOf(path),
      dryRun: this.isDryRun,
      flags: this.pieceFlags(),
      log: (message: string) => this.notes.push(message),
    });
    // This generator's pieces first: the certs piece starts its work on the thread pool (key generation) as it
    // renders, and the other pieces render meanwhile.
    const own = this.pieces;
    const rendering = Promise.all(
      own.map(async (piece) => ({ piece: piece.name, files: (await piece.render(ctx(model))).map(format) })),
    );
    if (this.state.certificateVersion === this.storedState.certificateVersion) return rendering;
    rendering.catch(() => undefined); // a failure surfaces where it is awaited, below
    const before = buildModel(this.answers, this.storedState);
    const quiet = (m: Model) => ({ ...ctx(m), log: () => undefined });
    const moved = await Promise.all(
      PIECES.filter((p) => !own.includes(p) && !p.before).map(async (piece) => {
        const notes: string[] = [];
        const now = await piece.render({ ...ctx(model), log: (message: string) => notes.push(message) });
        if (JSON.stringify(await piece.render(quiet(before))) === JSON.stringify(now)) return [];
        this.notes.push(...notes);
        return [{ piece: piece.name, files: now.map(format) }];
      }),
    );
    return [...(await rendering), ...moved.flat()];
  }

  private async intake(): Promise<Answers> {
    const options: Record<string, unknown> = {};
    for (const spec of ANSWER_SPECS) options[spec.name] = this.io.flag(optionName(spec.name));
    const useDefaults = this.io.flag('defaults') === true;
    const forced = this.io.flag('interactive');
    // --defaults on a terminal still asks what has no default.
    const interactive = typeof forced === 'boolean' ? forced : process.stdin.isTTY === true;
    const answers = await intakeAnswers({
      sources: {
        options,
        file: readAnswersFile(this.io.flag('answers')),
        stored: this.stored,
      },
      useDefaults,
      interactive,
      lookupAccount: async (known) =>
        this.io.flag('offline') === true
          ? { reason: '--offline' }
          : lookupAccountId(known.region ?? regionFromEnvironment(process.env) ?? 'us-east-1'),
      ask: (known, specs) => this.ask(known, specs),
      log: (line) => this.io.log(line),
    });
    if (answers.sshCidr !== undefined && sshNeedsConfirmation(answers.sshCidr)) {
      this.io.log(
        `Warning: SSH to the bastion is open to a wide public range (sshCidr ${answers.sshCidr}, confirmed). Narrow it as soon as you can.`,
      );
    }
    return answers;
  }

  /** The missing answers, one prompt at a time (prompts.ts); Ctrl-C leaves with 130 and nothing written. */
  private async ask(known: Partial<Answers>, specs: readonly AnswerSpec[]): Promise<Record<string, unknown>> {
    try {
      return await askInOrder(
        known,
        specs,
        (question) => this.io.prompt(question),
        (line) => this.io.log(line),
        this.io.flag('defaults') === true,
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
  private readDisk(path: string): Buffer | undefined {
    return this.writer.read(path);
  }

  private modeOf(path: string): number | undefined {
    try {
      return statSync(this.writer.resolve(path)).mode;
    } catch {
      return undefined;
    }
  }
}
