/**
 * Answer intake: raw values from every source (CLI options, answers file, stored config, STS, defaults, prompts)
 * become one validated Answers object, with every problem reported at once. Pure: the account lookup, the
 * prompts and the log come in as functions, so tests run the whole intake without Yeoman, a terminal or AWS.
 */
import { ANSWER_SPECS, crossFieldProblems, defaultFor, isRequired, optionName } from './answers.js';
import type { AnswerName, AnswerSpec, Answers, Problem } from './answers.js';
import type { AccountLookup } from './aws-account.js';
import { closest } from './suggest.js';

export type Origin = 'option' | 'answers file' | 'stored config' | 'sts' | 'default' | 'prompt';

export interface Supplied {
  values: Partial<Answers>;
  origins: Partial<Record<AnswerName, Origin>>;
  problems: Problem[];
}

export class AnswersError extends Error {
  constructor(
    readonly problems: Problem[],
    heading = 'Invalid answers, nothing was written:',
  ) {
    super([heading, ...problems.map((p) => `  - ${p.field}: ${p.message}`)].join('\n'));
    this.name = 'AnswersError';
  }
}

type Coerced = { ok: true; value: unknown } | { ok: false; reason: string };

function coerce(spec: AnswerSpec, raw: unknown): Coerced {
  switch (spec.kind) {
    case 'boolean':
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      if (raw === 'true' || raw === 'false') return { ok: true, value: raw === 'true' };
      return { ok: false, reason: 'expected true or false' };
    case 'integer':
      if (typeof raw === 'number' && Number.isSafeInteger(raw)) return { ok: true, value: raw };
      if (typeof raw === 'string' && /^\d{1,9}$/.test(raw.trim())) return { ok: true, value: Number(raw.trim()) };
      return { ok: false, reason: 'expected a whole number' };
    case 'choice': {
      const choices = spec.choices ?? [];
      // Strict: a string or a number naming one choice (never an array or an object that stringifies to one).
      if (typeof raw !== 'string' && typeof raw !== 'number')
        return { ok: false, reason: `expected one of ${choices.join(', ')}` };
      const hit = choices.find((c) => c === raw || String(c) === String(raw).trim());
      return hit === undefined
        ? { ok: false, reason: `expected one of ${choices.join(', ')}` }
        : { ok: true, value: hit };
    }
    case 'string':
      // Control characters never reach a check, a file or a terminal.
      if (typeof raw === 'string' && /[\u0000-\u001f\u007f-\u009f]/.test(raw))
        return { ok: false, reason: 'control characters are not allowed' };
      if (typeof raw === 'string') return { ok: true, value: raw.trim() };
      if (typeof raw === 'number') return { ok: true, value: String(raw) };
      return { ok: false, reason: 'expected a string' };
  }
}

/** A value echoed in a message: JSON-quoted (control characters escaped) and cut to 80 characters. */
export function show(raw: unknown): string {
  const text = JSON.stringify(raw) ?? String(raw);
  return text.length > 80 ? `${text.slice(0, 77)}..."` : text;
}

function howToSet(name: AnswerName, origin: Origin): string {
  const flag = `--${optionName(name)}`;
  if (origin === 'stored config') return ` (from .yo-rc.json: fix it there or pass ${flag})`;
  if (origin === 'answers file') return ` (from the answers file: fix "${name}" there or pass ${flag})`;
  if (origin === 'option') return ` (from ${flag})`;
  return '';
}

/** Coerces and checks one raw value; returns the typed value or a problem naming field, value and fix. */
export function checkValue(spec: AnswerSpec, raw: unknown, origin: Origin): { value?: unknown; problem?: Problem } {
  const coerced = coerce(spec, raw);
  const reason = coerced.ok ? (spec.check as (v: unknown) => string | undefined)(coerced.value) : coerced.reason;
  if (reason === undefined && coerced.ok) return { value: coerced.value };
  return {
    problem: { field: spec.name, message: `${show(raw)} is not valid: ${reason}${howToSet(spec.name, origin)}` },
  };
}

/** The message inquirer shows under a prompt, or true. */
export function promptValidator(spec: AnswerSpec): (raw: unknown) => true | string {
  return (raw) => {
    const { problem } = checkValue(spec, raw, 'prompt');
    return problem ? problem.message : true;
  };
}

export interface RawSources {
  options?: Record<string, unknown>;
  file?: Record<string, unknown>;
  stored?: Record<string, unknown>;
}

const KNOWN = new Set<string>(ANSWER_SPECS.map((s) => s.name));

function unknownFieldMessage(key: string): string {
  const guess = closest(key, [...KNOWN]);
  return guess
    ? `unknown field in the answers file; did you mean "${guess}"?`
    : `unknown field in the answers file; valid fields: ${[...KNOWN].join(', ')}`;
}

/** Fields given by the user or stored, highest precedence first: option > answers file > stored config. */
export function collectSupplied(sources: RawSources): Supplied {
  const supplied: Supplied = { values: {}, origins: {}, problems: [] };
  for (const key of Object.keys(sources.file ?? {})) {
    if (key !== '$schema' && !KNOWN.has(key)) {
      supplied.problems.push({
        field: show(key).slice(1, -1),
        message: unknownFieldMessage(key),
      });
    }
  }
  const ordered: Array<[Origin, Record<string, unknown> | undefined]> = [
    ['option', sources.options],
    ['answers file', sources.file],
    ['stored config', sources.stored],
  ];
  for (const spec of ANSWER_SPECS) {
    for (const [origin, values] of ordered) {
      const raw = values?.[spec.name];
      if (raw === undefined || raw === null) continue;
      const { value, problem } = checkValue(spec, raw, origin);
      if (problem) supplied.problems.push(problem);
      else {
        (supplied.values as Record<string, unknown>)[spec.name] = value;
        supplied.origins[spec.name] = origin;
      }
      break;
    }
    // A saved set made before the answer existed keeps what it had (the declaration's savedDefault).
    const storedSet = Object.keys(sources.stored ?? {}).length > 0;
    // Declaration order puts what a savedDefault function reads (network for access) before it.
    const saved = typeof spec.savedDefault === 'function' ? spec.savedDefault(supplied.values) : spec.savedDefault;
    if (supplied.values[spec.name] === undefined && saved !== undefined && (storedSet || sources.file)) {
      (supplied.values as Record<string, unknown>)[spec.name] = saved;
      supplied.origins[spec.name] = storedSet ? 'stored config' : 'answers file';
    }
  }
  return supplied;
}

/** With `useDefaults`, fills every default of an answer still needed; otherwise returns the values as given. */
export function fillDefaults(values: Partial<Answers>, useDefaults: boolean): Partial<Answers> {
  const out: Partial<Answers> = { ...values };
  if (!useDefaults) return out;
  for (const spec of ANSWER_SPECS) {
    if (out[spec.name] !== undefined || !isRequired(spec, out)) continue;
    const d = defaultFor(spec, out);
    if (d !== undefined) (out as Record<string, unknown>)[spec.name] = d;
  }
  return out;
}

/** Final check of a complete set: every field again (defaults and prompts included) plus cross-field rules. */
export function finalize(values: Partial<Answers>, origins: Partial<Record<AnswerName, Origin>> = {}): Answers {
  const problems: Problem[] = [];
  const missing = missingAnswers(values).map((s) => s.name);
  if (missing.length > 0) throw missingError(missing);
  const out: Record<string, unknown> = {};
  for (const spec of ANSWER_SPECS) {
    if (values[spec.name] === undefined) continue;
    if (!isRequired(spec, values)) {
      const given = origins[spec.name] === 'option' || origins[spec.name] === 'answers file';
      if (given && spec.refusedWhenUnused) problems.push({ field: spec.name, message: spec.refusedWhenUnused });
      // Otherwise an answer not needed is dropped, so a stale confirmation never applies to a later value.
      continue;
    }
    const { value, problem } = checkValue(spec, values[spec.name], origins[spec.name] ?? 'default');
    if (problem) problems.push(problem);
    else out[spec.name] = value;
  }
  if (problems.length === 0) problems.push(...crossFieldProblems(out as unknown as Answers));
  if (problems.length > 0) throw new AnswersError(problems);
  return out as unknown as Answers;
}

export function missingError(missing: readonly AnswerName[]): AnswersError {
  return new AnswersError(
    missing.map((name) => ({
      field: name,
      message: `missing; pass --${optionName(name)}, add "${name}" to the answers file, or use --defaults where a default exists`,
    })),
    'Answers are missing and there is no terminal to ask them on (nothing was written):',
  );
}

/** Answers still needed: absent, and required given the others. */
export function missingAnswers(values: Partial<Answers>): AnswerSpec[] {
  return ANSWER_SPECS.filter((s) => values[s.name] === undefined && isRequired(s, values));
}

export interface IntakeInput {
  sources: RawSources;
  /** --defaults: take every default, ask nothing. */
  useDefaults: boolean;
  /** Whether missing answers may be asked (a terminal, or --interactive). */
  interactive: boolean;
  /** Looks the account id up (STS), or says why not; called only when no source gave one. */
  lookupAccount: (known: Partial<Answers>) => Promise<AccountLookup>;
  /** Asks the given answers (prompts); returns the raw values given. */
  ask: (known: Partial<Answers>, specs: readonly AnswerSpec[]) => Promise<Record<string, unknown>>;
  log: (line: string) => void;
}

/** The whole intake: sources, account lookup, defaults, prompts, then the final check. */
export async function intakeAnswers(input: IntakeInput): Promise<Answers> {
  const supplied = collectSupplied(input.sources);
  if (supplied.problems.length > 0) throw new AnswersError(supplied.problems);
  const { values, origins } = supplied;
  if (values.accountId === undefined) {
    const found = await input.lookupAccount(values);
    if ('accountId' in found) {
      values.accountId = found.accountId;
      origins.accountId = 'sts';
      input.log(`Account id ${found.accountId} (from STS GetCallerIdentity).`);
    } else {
      input.log(
        `Account id not looked up: ${found.reason}; ${input.interactive ? 'asking for it' : 'using --account-id or the answers file'}.`,
      );
    }
  }
  let filled = fillDefaults(values, input.useDefaults);
  const missing = missingAnswers(filled);
  if (missing.length > 0) {
    if (!input.interactive) throw missingError(missing.map((s) => s.name));
    // Every absent answer goes to the prompts: one whose requiredWhen depends on an answer asked in the same
    // session is asked (or skipped) by the prompt's own condition, with the answers given so far.
    const absent = ANSWER_SPECS.filter((s) => filled[s.name] === undefined);
    const raw = await input.ask(filled, absent);
    const asked: Record<string, unknown> = {};
    const problems: Problem[] = [];
    for (const spec of absent) {
      if (raw[spec.name] === undefined) continue;
      const { value, problem } = checkValue(spec, raw[spec.name], 'prompt');
      if (problem) problems.push(problem);
      else {
        asked[spec.name] = value;
        origins[spec.name] = 'prompt';
      }
    }
    if (problems.length > 0) throw new AnswersError(problems);
    filled = fillDefaults({ ...filled, ...(asked as Partial<Answers>) }, false);
  }
  return finalize(filled, origins);
}
