/**
 * What every secure-emr generator shares: one option per answer plus the run flags, answer resolution from
 * every source with the same validation, and the write step (render, format, manifest decisions, summary).
 * A concrete generator only names its pieces.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Generator from 'yeoman-generator';
import { ANSWER_SPECS, defaultFor, optionName } from './answers.js';
import type { AnswerName, AnswerSpec, Answers } from './answers.js';
import { lookupAccountId } from './aws-account.js';
import { MANIFEST_PATH, NEW_VERSION_SUFFIX, decide, parseManifest, sha256 } from './manifest.js';
import type { Decision } from './manifest.js';
import { INITIAL_STATE, buildModel } from './model.js';
import type { Model, State } from './model.js';
import { packageVersion } from './paths.js';
import type { OutputFile, Piece } from './piece.js';
import { formatJson } from './json-format.js';
import { formatFor } from './render.js';
import {
  AnswersError, checkValue, collectSupplied, fillDefaults, finalize, missingError, promptValidator,
} from './resolve-answers.js';
import type { Origin } from './resolve-answers.js';
import { isOpenToWorld, releaseLabelWarning } from './validate.js';

/** Flags every generator takes besides the answers. */
export const RUN_OPTIONS = [
  { name: 'answers', type: String, description: 'JSON file with answers (see answers.schema.json)' },
  { name: 'defaults', type: Boolean, description: 'Take the default for every answer not given; fail on those with none' },
  { name: 'offline', type: Boolean, description: 'Do not call STS to look up the account id' },
  { name: 'interactive', type: Boolean, description: 'Ask the missing answers even when stdin is not a terminal' },
  { name: 'force', type: Boolean, description: 'Replace generated files you edited (key material still needs :certs --rotate)' },
  { name: 'dry-run', type: Boolean, description: 'Show what would be added, replaced or kept; write nothing' },
] as const;

type Counts = Record<Decision, string[]>;

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

export abstract class SecureEmrGenerator extends Generator {
  /** The pieces this generator renders, in order. */
  protected abstract readonly pieces: readonly Piece[];

  protected answers!: Answers;
  protected state: State = { ...INITIAL_STATE };
  private readonly decisions: Counts = { add: [], unchanged: [], replace: [], keep: [], edited: [], force: [] };
  private readonly notes: string[] = [];

  constructor(args: string[], options: Generator['options']) {
    super(args, options, { inheritTasks: true, unique: 'namespace' });
    for (const spec of ANSWER_SPECS) {
      this.option(optionName(spec.name), {
        type: spec.kind === 'boolean' ? Boolean : String,
        description: spec.description,
      });
    }
    for (const option of RUN_OPTIONS) this.option(option.name, { type: option.type, description: option.description });
  }

  /** An option by its CLI name, whether it came from argv (kebab-case) or from code (camelCase). */
  protected flag(name: string): unknown {
    const options = this.options as Record<string, unknown>;
    return options[name] ?? options[camel(name)];
  }

  protected get isDryRun(): boolean {
    return this.flag('dry-run') === true;
  }

  // ---- tasks -------------------------------------------------------------------------------------------

  async initializing(): Promise<void> {
    this.answers = await this._resolveAnswers();
    this.state = this._readState();
    await this._prepare();
  }

  async writing(): Promise<void> {
    if (this._reportOnly()) return;
    const model = buildModel(this.answers, this.state);
    await this._writePieces(model, this._piecesToRender());
  }

  end(): void {
    if (this._reportOnly()) return;
    const d = this.decisions;
    const lines = [
      `secure-emr${this.isDryRun ? ' (dry run, nothing written)' : ''}: ${d.add.length} added, ${d.replace.length + d.force.length} replaced, ${d.unchanged.length} unchanged, ${d.keep.length + d.edited.length} kept as you edited them.`,
    ];
    if (d.edited.length) lines.push(`  kept your edits (nothing new from the generator for them): ${d.edited.join(', ')}`);
    if (d.force.length) lines.push(`  replaced despite your edits (--force): ${d.force.join(', ')}`);
    if (d.keep.length) {
      lines.push(`  kept your edits; the new version is beside each as ${NEW_VERSION_SUFFIX}: ${d.keep.join(', ')}`);
      lines.push('  (merge it and delete the copy, or rerun with --force to replace)');
    }
    if (this.isDryRun) {
      for (const kind of ['add', 'replace', 'force', 'keep'] as const) {
        for (const path of d[kind]) lines.push(`  would ${kind === 'force' ? 'replace (forced)' : kind}: ${path}`);
      }
    }
    lines.push(...this.notes);
    this.log(lines.join('\n'));
  }

  // ---- hooks for subclasses ----------------------------------------------------------------------------

  /** Runs after answers and state are known, before anything is rendered (e.g. :certs --rotate). */
  protected async _prepare(): Promise<void> {}

  protected _piecesToRender(): readonly Piece[] {
    return this.pieces;
  }

  /** Only `:certs --rotate` replaces key material; every other generator keeps it. */
  protected _rotating(): boolean {
    return false;
  }

  /** True when the run only reports (`:certs --check`): nothing is rendered or written. */
  protected _reportOnly(): boolean {
    return false;
  }

  protected _note(message: string): void {
    this.notes.push(message);
  }

  // ---- answers -----------------------------------------------------------------------------------------

  private _readAnswersFile(): Record<string, unknown> | undefined {
    const path = this.flag('answers');
    if (path === undefined) return undefined;
    if (typeof path !== 'string' || path === '') {
      throw new AnswersError([{ field: 'answers', message: 'expects a file path: --answers answers.json' }]);
    }
    let text: string;
    try {
      text = readFileSync(resolve(path), 'utf8');
    } catch {
      throw new AnswersError([{ field: 'answers', message: `cannot read ${path}; give the path of a JSON file` }]);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new AnswersError([{ field: 'answers', message: `${path} is not valid JSON (${(error as Error).message})` }]);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new AnswersError([{ field: 'answers', message: `${path} must hold one JSON object of answers` }]);
    }
    return parsed as Record<string, unknown>;
  }

  private _storedConfig(): Record<string, unknown> {
    return this.config.getAll() as Record<string, unknown>;
  }

  private _interactive(): boolean {
    if (this.flag('defaults') === true) return false;
    const forced = this.flag('interactive');
    if (typeof forced === 'boolean') return forced;
    return process.stdin.isTTY === true;
  }

  private async _resolveAnswers(): Promise<Answers> {
    const optionValues: Record<string, unknown> = {};
    for (const spec of ANSWER_SPECS) optionValues[spec.name] = this.flag(optionName(spec.name));
    const supplied = collectSupplied({ options: optionValues, file: this._readAnswersFile(), stored: this._storedConfig() });
    if (supplied.problems.length > 0) throw new AnswersError(supplied.problems);
    const { values, origins } = supplied;
    const interactive = this._interactive();

    if (values.accountId === undefined) {
      const found = this.flag('offline') === true
        ? { reason: '--offline' }
        : await lookupAccountId(values.region ?? process.env.AWS_REGION ?? 'us-east-1');
      if ('accountId' in found) {
        values.accountId = found.accountId;
        origins.accountId = 'sts';
        this.log(`Account id ${found.accountId} (from STS GetCallerIdentity).`);
      } else {
        this.log(`Account id not looked up: ${found.reason}; ${interactive ? 'asking for it' : 'using --account-id or the answers file'}.`);
      }
    }

    let filled = fillDefaults(values, this.flag('defaults') === true);
    const missing = ANSWER_SPECS.filter((s) => filled[s.name] === undefined);
    if (missing.length > 0) {
      if (!interactive) throw missingError(missing.map((s) => s.name));
      const asked = await this._ask(filled, missing);
      for (const name of Object.keys(asked) as AnswerName[]) origins[name] = 'prompt';
      filled = fillDefaults({ ...filled, ...asked }, false);
    }
    const answers = finalize(filled, origins as Partial<Record<AnswerName, Origin>>);
    const warning = releaseLabelWarning(answers.releaseLabel);
    if (warning) this.log(`Warning: ${warning}.`);
    if (isOpenToWorld(answers.sshCidr)) {
      this.log('Warning: SSH to the bastion is open to the whole internet (sshCidr 0.0.0.0/0, confirmed). Narrow it as soon as you can.');
    }
    return answers;
  }

  private async _ask(known: Partial<Answers>, specs: readonly AnswerSpec[]): Promise<Partial<Answers>> {
    const merged = (so: Record<string, unknown>): Partial<Answers> => ({ ...known, ...(so as Partial<Answers>) });
    const questions = specs.map((spec) => {
      const base = {
        name: spec.name,
        message: spec.message,
        default: (so: Record<string, unknown>) => defaultFor(spec, merged(so)),
        when: (so: Record<string, unknown>) => (spec.askWhen ? spec.askWhen(merged(so)) : true),
      };
      if (spec.kind === 'boolean') return { ...base, type: 'confirm' as const };
      if (spec.kind === 'choice') return { ...base, type: 'list' as const, choices: (spec.choices ?? []).map(String) };
      return {
        ...base,
        type: 'input' as const,
        validate: promptValidator(spec),
        filter: (raw: unknown) => checkValue(spec, raw, 'prompt').value ?? raw,
      };
    });
    const asked = (await this.prompt(questions as never)) as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const spec of specs) {
      if (asked[spec.name] === undefined) continue;
      const { value, problem } = checkValue(spec, asked[spec.name], 'prompt');
      if (problem) throw new AnswersError([problem]);
      out[spec.name] = value;
    }
    return out as Partial<Answers>;
  }

  private _readState(): State {
    const raw = this._storedConfig().certificateVersion;
    if (raw === undefined) return { ...INITIAL_STATE };
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1) {
      throw new AnswersError([{ field: 'certificateVersion', message: `${JSON.stringify(raw)} in .yo-rc.json is not valid: expected a whole number from 1; restore it from git` }]);
    }
    return { certificateVersion: raw };
  }

  // ---- writing -----------------------------------------------------------------------------------------

  /** A file of the destination as it is on disk (not as mem-fs would have it after this run). */
  protected _readDisk(path: string): Buffer | undefined {
    try {
      return readFileSync(this.destinationPath(path));
    } catch {
      return undefined;
    }
  }

  private async _writePieces(model: Model, pieces: readonly Piece[]): Promise<void> {
    const previous = this._readDisk(MANIFEST_PATH)?.toString('utf8');
    const manifest = parseManifest(previous, packageVersion());
    const force = this.flag('force') === true;
    const ctx = {
      model,
      readExisting: (path: string) => this._readDisk(path),
      rotate: this._rotating(),
      log: (message: string) => this._note(message),
    };
    // Pieces render concurrently: key generation runs on the thread pool while the other pieces render.
    const format = (file: OutputFile): OutputFile =>
      typeof file.contents === 'string' ? { ...file, contents: formatFor(file.path, file.contents) } : file;
    const rendered = await Promise.all(pieces.map(async (piece) => ({ piece, files: (await piece.render(ctx)).map(format) })));
    for (const { piece, files } of rendered) {
      for (const output of files) {
        const { path, contents } = output;
        const onDisk = this._readDisk(path);
        if (output.secret) {
          this.decisions[onDisk ? 'replace' : 'add'].push(path);
          this._emit(output, onDisk !== undefined);
          continue;
        }
        const decision = decide(contents, onDisk, manifest.files[path], force);
        this.decisions[decision].push(path);
        manifest.files[path] = { sha256: sha256(contents), piece: piece.name };
        if (decision === 'unchanged' || decision === 'edited') continue;
        if (decision === 'keep') this._emit({ ...output, path: path + NEW_VERSION_SUFFIX }, true);
        else this._emit(output, decision !== 'add');
      }
    }
    if (this.isDryRun) return;
    manifest.version = packageVersion();
    const sorted = Object.fromEntries(Object.entries(manifest.files).sort(([a], [b]) => a.localeCompare(b)));
    this._emit({ path: MANIFEST_PATH, contents: formatJson({ ...manifest, files: sorted }) }, previous !== undefined);
    this.config.set({ ...this.answers, certificateVersion: this.state.certificateVersion });
  }

  /**
   * Queues one file for Yeoman's commit. `replacing`: the decision to overwrite was made here (manifest or
   * --force), so Yeoman's conflicter is told to write it rather than ask again.
   */
  private _emit(file: OutputFile, replacing: boolean): void {
    if (this.isDryRun) return;
    const path = this.destinationPath(file.path);
    this.fs.write(path, file.contents, file.mode === undefined ? undefined : { stat: { mode: file.mode } } as never);
    if (replacing) (this.fs.store.get(path) as { conflicter?: string }).conflicter = 'force';
  }
}
