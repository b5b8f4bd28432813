/**
 * The interactive path, one question at a time: each answer is checked at its own prompt, alone and against the
 * answers before it (subnets inside the VPC, no overlap, distinct aliases); a wide SSH range is followed by its
 * confirmation, and refusing it asks for the range again. Nothing answered is lost to a later problem. Pure: the
 * prompt and the log come in as functions, so tests drive it without a terminal.
 */
import { crossFieldProblemsOf, defaultFor, isRequired } from './answers.js';
import type { AnswerSpec, Answers, Problem } from './answers.js';
import { AnswersError, checkValue } from './answer-intake.js';

/** A question in inquirer's shape, with the non-deprecated types (`select`, not `list`). */
export interface Question {
  type: 'input' | 'confirm' | 'select';
  name: string;
  message: string;
  default?: unknown;
  choices?: Array<{ name: string; value: string }>;
  validate?: (raw: unknown) => true | string;
}

/** The problem an answer has at its prompt: its own check, then the rules relating it to the earlier answers. */
export function promptProblem(spec: AnswerSpec, raw: unknown, earlier: Partial<Answers>): string | undefined {
  const { value, problem } = checkValue(spec, raw, 'prompt');
  if (problem) return problem.message;
  const cross = crossFieldProblemsOf(spec.name, { ...earlier, [spec.name]: value } as Partial<Answers>);
  return cross.length > 0 ? cross.map((p) => p.message).join('; ') : undefined;
}

export function questionFor(spec: AnswerSpec, earlier: Partial<Answers>): Question {
  const d = defaultFor(spec, earlier);
  const base = { name: spec.name, message: spec.message };
  if (spec.kind === 'boolean') return { ...base, type: 'confirm', default: d ?? false };
  if (spec.kind === 'choice') {
    const choices = (spec.choices ?? []).map((c) => ({ name: String(c), value: String(c) }));
    return { ...base, type: 'select', choices, ...(d !== undefined ? { default: String(d) } : {}) };
  }
  return {
    ...base,
    type: 'input',
    ...(d !== undefined ? { default: String(d) } : {}),
    validate: (raw) => promptProblem(spec, raw, earlier) ?? true,
  };
}

/** How often the same refused answer may come back before the run gives up (a scripted prompt, not a person). */
const MAX_SAME_REFUSALS = 3;

/**
 * Asks `specs` in order (each only when required given the answers so far) and returns the raw values given.
 * A problem a prompt could not show (a confirmation, a choice) is logged and the field it names is asked again.
 */
export async function askInOrder(
  known: Partial<Answers>,
  specs: readonly AnswerSpec[],
  promptOne: (question: Question) => Promise<unknown>,
  log: (line: string) => void,
  /** --defaults on a terminal: an answer with a default (derived ones too, once their inputs are known) is not asked. */
  useDefaults = false,
): Promise<Record<string, unknown>> {
  const answered: Record<string, unknown> = {};
  const refusals = new Map<string, { raw: string; count: number }>();
  const refuse = (spec: AnswerSpec, raw: unknown, problems: Problem[]): void => {
    const key = JSON.stringify(raw);
    const last = refusals.get(spec.name);
    const count = last?.raw === key ? last.count + 1 : 1;
    refusals.set(spec.name, { raw: key, count });
    if (count >= MAX_SAME_REFUSALS) throw new AnswersError(problems, 'The same answer was refused again:');
    for (const p of problems) log(`✖ ${p.field}: ${p.message}`);
  };
  let i = 0;
  while (i < specs.length) {
    const spec = specs[i] as AnswerSpec;
    const earlier = { ...known, ...answered } as Partial<Answers>;
    if (!isRequired(spec, earlier)) {
      delete answered[spec.name];
      i++;
      continue;
    }
    // A default refused by a rule relating answers is asked instead.
    const fallback = useDefaults && !refusals.has(spec.name) ? defaultFor(spec, earlier) : undefined;
    const raw = fallback !== undefined ? fallback : await promptOne(questionFor(spec, earlier));
    const { value, problem } = checkValue(spec, raw, 'prompt');
    if (problem) {
      refuse(spec, raw, [problem]);
      continue;
    }
    const problems = crossFieldProblemsOf(spec.name, { ...earlier, [spec.name]: value } as Partial<Answers>);
    if (problems.length > 0) {
      refuse(spec, raw, problems);
      // Ask again from the field to change: this one, or an earlier one (the SSH range after its confirmation).
      const target = specs.findIndex((s) => s.name === problems[0]?.field);
      const from = target >= 0 && target < i ? target : i;
      for (let k = from; k <= i; k++) delete answered[(specs[k] as AnswerSpec).name];
      i = from;
      continue;
    }
    answered[spec.name] = value;
    i++;
  }
  return answered;
}
