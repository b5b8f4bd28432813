/**
 * The command line, shared by the `secure-emr` bin and the generators (for yo): every option a generator takes,
 * derived from the answer declarations, the run options and the piece registry; the --help text; and the check
 * of an argument list (unknown options, misspelt subcommands, values given to boolean flags, repeated options),
 * with a suggestion. Pure and light: no Yeoman, no prompts.
 */
import { ANSWER_SPECS, defaultFor, optionName } from './answers.js';
import { GENERATOR_NAMES, PIECES, piecesOf } from './registry.js';
import { closest } from './suggest.js';

export { closest } from './suggest.js';

/** Flags every generator takes besides the answers. */
export const RUN_OPTIONS = [
  { name: 'answers', type: String, description: 'JSON file with answers (see answers.schema.json)' },
  {
    name: 'defaults',
    type: Boolean,
    description: 'Take the default for every answer not given; ask (on a terminal) or fail for those with none',
  },
  { name: 'offline', type: Boolean, description: 'Do not call STS to look up the account id' },
  { name: 'interactive', type: Boolean, description: 'Ask the missing answers even when stdin is not a terminal' },
  {
    name: 'force',
    type: Boolean,
    description: 'Replace generated files you edited (key material still needs :certs --rotate)',
  },
  { name: 'dry-run', type: Boolean, description: 'Show what would be added, replaced or kept; write nothing' },
] as const;

/** One option of a generator, as --help shows it and the argument check knows it. */
export interface CliOption {
  name: string;
  boolean: boolean;
  description: string;
  /** The default as text (`none (required)`, `derived from ...`), or undefined for a plain flag. */
  defaultText?: string;
  choices?: readonly string[];
  group: 'answer' | 'run' | 'piece' | 'meta';
}

export const META_OPTIONS: readonly CliOption[] = [
  { name: 'help', boolean: true, description: 'Show this help and exit', group: 'meta' },
  { name: 'version', boolean: true, description: 'Show the version and exit', group: 'meta' },
];

/** Short forms: -h, -v. */
const ALIASES: Record<string, string> = { h: 'help', v: 'version' };

function answerDefaultText(spec: (typeof ANSWER_SPECS)[number]): string {
  if (spec.defaultText !== undefined) return spec.defaultText;
  if (spec.default === undefined) return spec.requiredWhen ? 'none (asked only when needed)' : 'none (required)';
  if (spec.requiredWhen) return `${String(spec.default)} (only when needed)`;
  if (typeof spec.default === 'function') {
    const example = defaultFor(spec, { projectName: 'secure-emr', accountId: '<account>', region: '<region>' });
    return example === undefined ? 'derived' : `derived, e.g. ${String(example)}`;
  }
  return String(spec.default);
}

/** Every option of a generator: answers, run options, the piece's own flags, help and version. */
export function optionsOf(generator: string): CliOption[] {
  const answers: CliOption[] = ANSWER_SPECS.map((spec) => ({
    name: optionName(spec.name),
    boolean: spec.kind === 'boolean',
    description: spec.description,
    defaultText: answerDefaultText(spec),
    ...(spec.choices ? { choices: spec.choices.map(String) } : {}),
    group: 'answer',
  }));
  const run: CliOption[] = RUN_OPTIONS.map((o) => ({
    name: o.name,
    boolean: o.type === Boolean,
    description: o.description,
    group: 'run',
  }));
  const own = generator === 'app' ? [] : (piecesOf(generator)[0]?.flags ?? []);
  const piece: CliOption[] = own.map((f) => ({
    name: f.name,
    boolean: true,
    description: f.description,
    group: 'piece',
  }));
  return [...piece, ...run, ...answers, ...META_OPTIONS];
}

/** Options Yeoman and yo take themselves; accepted under yo, never listed. */
export const YEOMAN_OPTIONS: readonly string[] = [
  'insight',
  'skip-install',
  'skip-cache',
  'force-install',
  'ask-answered',
  'color',
  'local-config-only',
  'skip-local-cache',
  'experimental',
];

export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ParsedArgs {
  help: boolean;
  version: boolean;
  /** The arguments with a repeated option (same value) given once: Yeoman would join the repeats. */
  args: string[];
  /** Options with a value given more than once (the same value), by name: that value. */
  repeated: Record<string, string>;
}

/**
 * Checks the arguments after the generator name. Accepts `--name value`, `--name=value`, `--flag`, `--no-flag`,
 * `--flag=true|false`; refuses unknown options (with the closest known one), positional arguments (a misspelt
 * flag or subcommand), a value given to a flag, a missing value, and an option repeated with another value.
 */
export function checkArgs(generator: string, args: readonly string[], extraKnown: readonly string[] = []): ParsedArgs {
  const options = optionsOf(generator);
  const byName = new Map(options.map((o) => [o.name, o]));
  const extra = new Set(extraKnown);
  const seen = new Map<string, string>();
  const parsed: ParsedArgs = { help: false, version: false, args: [], repeated: {} };
  const hint = `Run \`secure-emr${generator === 'app' ? '' : ` ${generator}`} --help\` for the options.`;
  const unknown = (flag: string, word: string): UsageError => {
    const suggestion = closest(word, [...byName.keys()]);
    return new UsageError(
      `unknown option ${flag}${suggestion ? `; did you mean --${suggestion}?` : '.'}${suggestion ? '' : `\n${hint}`}`,
    );
  };
  /** Records an option; false when it repeats one already given (same value): the caller drops it. */
  const remember = (name: string, value: string, flag = false): boolean => {
    const before = seen.get(name);
    if (before !== undefined && before !== value)
      throw new UsageError(`--${name} given twice with different values ("${before}" and "${value}"); give it once.`);
    seen.set(name, value);
    if (before !== undefined && !flag) parsed.repeated[name] = value;
    return before === undefined;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') throw new UsageError(`unexpected "--": this command takes options only. ${hint}`);
    if (/^-[A-Za-z]$/.test(arg)) {
      const long = ALIASES[arg.slice(1)];
      if (long !== 'help' && long !== 'version') throw new UsageError(`unknown option ${arg}. ${hint}`);
      parsed[long] = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      const asFlag = closest(arg, [...byName.keys()]);
      const asGenerator = closest(arg, GENERATOR_NAMES);
      const suggestion = asGenerator
        ? ` (generators are named first: secure-emr ${asGenerator})`
        : asFlag
          ? `; did you mean --${asFlag}?`
          : '';
      throw new UsageError(`unexpected argument "${arg}"${suggestion}. ${hint}`);
    }
    const eq = arg.indexOf('=');
    let name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    let inline = eq === -1 ? undefined : arg.slice(eq + 1);
    if (extra.has(name) || (name.startsWith('no-') && extra.has(name.slice(3)))) {
      parsed.args.push(arg);
      continue;
    }
    let option = byName.get(name);
    if (!option && name.startsWith('no-') && byName.get(name.slice(3))?.boolean) {
      option = byName.get(name.slice(3));
      name = name.slice(3);
      if (inline !== undefined) throw new UsageError(`--no-${name} takes no value.`);
      inline = 'false';
    }
    if (!option) throw unknown(`--${name}`, name);
    if (option.boolean) {
      if (inline !== undefined && inline !== 'true' && inline !== 'false')
        throw new UsageError(
          `--${name} is a flag and takes no value (got "${inline}"); use --${name} or --no-${name}.`,
        );
      const value = inline ?? 'true';
      if (remember(name, value, true)) parsed.args.push(arg);
      if (name === 'help' || name === 'version') parsed[name] = value === 'true';
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = args[i + 1];
      if (next === undefined || (next.startsWith('-') && next.length > 1 && !/^-\d/.test(next)))
        throw new UsageError(
          `--${name} needs a value${option.choices ? ` (one of ${option.choices.join(', ')})` : ''}.`,
        );
      value = next;
      i++;
    }
    if (remember(name, value)) parsed.args.push(...(inline === undefined ? [arg, value] : [arg]));
  }
  if (seen.get('rotate') === 'true' && seen.get('check') === 'true')
    throw new UsageError('--rotate and --check exclude each other (--check only reports); run one, then the other.');
  return parsed;
}

/** A misspelt or unknown generator name, with the closest one. */
export function unknownGenerator(name: string): UsageError {
  const suggestion = closest(name, GENERATOR_NAMES);
  return new UsageError(
    `unknown generator "${name}"${suggestion ? `; did you mean ${suggestion}?` : ''}\nGenerators: ${GENERATOR_NAMES.join(', ')}. Run \`secure-emr --help\` for usage.`,
  );
}

function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : `${indent}${l}`));
}

function optionLines(options: readonly CliOption[]): string[] {
  const label = (o: CliOption): string =>
    `--${o.name}${o.boolean ? '' : o.choices ? ` <${o.choices.join('|')}>` : ' <value>'}`;
  const short = Object.entries(ALIASES).reduce<Record<string, string>>((acc, [s, l]) => ({ ...acc, [l]: s }), {});
  const labels = options.map((o) => (short[o.name] ? `-${short[o.name]}, ${label(o)}` : label(o)));
  const pad = Math.min(44, Math.max(...labels.map((l) => l.length)) + 2);
  const indent = ' '.repeat(pad + 2);
  return options.flatMap((o, i) => {
    const text = `${o.description}${o.defaultText !== undefined ? ` [default: ${o.defaultText}]` : ''}`;
    const head = `  ${(labels[i] ?? '').padEnd(pad)}`;
    const body = wrap(text, 110 - pad, indent);
    return head.length > pad + 2 ? [`  ${labels[i]}`, `${indent}${body.join('\n')}`] : [`${head}${body.join('\n')}`];
  });
}

/**
 * The --help text of a generator. `via` is how the user ran it: the bin (`secure-emr [generator]`) or yo
 * (`yo secure-emr[:generator]`).
 */
export function helpText(generator: string, via: 'bin' | 'yo' = 'bin'): string {
  const cmd = (g: string): string =>
    via === 'yo' ? `yo secure-emr${g === 'app' ? '' : `:${g}`}` : `secure-emr${g === 'app' ? '' : ` ${g}`}`;
  const piece = PIECES.find((p) => p.name === generator);
  const options = optionsOf(generator);
  const lines = [
    `Usage: ${cmd(generator)} [options]`,
    '',
    generator === 'app'
      ? 'Writes a repository that deploys an Amazon EMR cluster encrypted at rest and in transit, into this folder.'
      : `Regenerates one piece of the project from its stored answers (.yo-rc.json, found from a subfolder too): ${piece?.description ?? generator}.`,
    'Answers not given as options come from --answers, .yo-rc.json, STS (account id), defaults, or prompts on a terminal.',
    '',
  ];
  if (generator === 'app') {
    lines.push('Generators:');
    const width = Math.max(...PIECES.map((p) => cmd(p.name).length)) + 2;
    for (const p of PIECES) lines.push(`  ${cmd(p.name).padEnd(width)}${p.description}`);
    lines.push('');
  }
  const own = options.filter((o) => o.group === 'piece');
  if (own.length > 0) lines.push(`Options of ${generator}:`, ...optionLines(own), '');
  lines.push('Run options:', ...optionLines(options.filter((o) => o.group === 'run' || o.group === 'meta')), '');
  lines.push(
    'Answers (each also a field of the --answers file):',
    ...optionLines(options.filter((o) => o.group === 'answer')),
  );
  lines.push('', 'Examples:');
  if (generator === 'app') {
    lines.push(
      `  ${cmd('app')}                                  ask the questions (on a terminal)`,
      `  ${cmd('app')} --defaults --account-id 123456789012 --ssh-cidr 198.51.100.0/24`,
      `  ${cmd('app')} --answers answers.json --dry-run     show what would be written`,
      `  ${cmd('certs')} --rotate                       new key and certificate under a new version`,
    );
  } else {
    lines.push(`  ${cmd(generator)}                regenerate from the stored answers`);
    for (const f of own) lines.push(`  ${cmd(generator)} --${f.name}`);
    lines.push(`  ${cmd(generator)} --dry-run      show what would change, write nothing`);
  }
  lines.push(
    '',
    'Exit status: 0 done, 1 failed (bad input: nothing written; while writing: what was written is complete, run',
    'again), 2 usage error, 130 interrupted.',
  );
  return lines.join('\n');
}
