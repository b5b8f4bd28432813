/**
 * JSON printed the way prettier's json parser prints it (width 120, two spaces): an object or array stays on one
 * line when that line fits, otherwise each member goes on its own line. Prettier keeps such output unchanged
 * (test/format.test.ts checks every emitted JSON file against prettier), and the run need not load prettier.
 */
const WIDTH = 120;
const INDENT = '  ';

/**
 * The value on one line, or undefined as soon as that line would be longer than `budget` characters: each level
 * stops early instead of printing its whole subtree (printing every subtree in full at every depth made formatting
 * quadratic in the nesting and was a visible part of a run's time).
 */
function inlineWithin(value: unknown, budget: number): string | undefined {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    return text.length <= budget ? text : undefined;
  }
  const array = Array.isArray(value);
  const entries: Array<[string | undefined, unknown]> = array
    ? value.map((v) => [undefined, v])
    : Object.entries(value);
  if (entries.length === 0) return array ? '[]' : '{}';
  let out = array ? '[' : '{ ';
  for (const [i, [k, v]] of entries.entries()) {
    if (i > 0) out += ', ';
    if (k !== undefined) out += `${JSON.stringify(k)}: `;
    const part = inlineWithin(v, budget - out.length);
    if (part === undefined) return undefined;
    out += part;
  }
  out += array ? ']' : ' }';
  return out.length <= budget ? out : undefined;
}

/**
 * Prettier always breaks an array of two or more elements that are all objects with more than one key (or all
 * arrays with more than one element), and so every object or array that contains one.
 */
function breaksAlways(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const known = breaks.get(value);
  if (known !== undefined) return known;
  const result = computeBreaksAlways(value);
  breaks.set(value, result);
  return result;
}

const breaks = new WeakMap<object, boolean>();

function computeBreaksAlways(value: object): boolean {
  if (Array.isArray(value)) {
    const multi = (v: unknown) =>
      v !== null && typeof v === 'object' && (Array.isArray(v) ? v.length > 1 : Object.keys(v).length > 1);
    const sameKind = value.every((v) => Array.isArray(v) === Array.isArray(value[0]));
    if (value.length > 1 && sameKind && value.every(multi)) return true;
    return value.some(breaksAlways);
  }
  return Object.values(value).some(breaksAlways);
}

/** `used`: characters already on the line before the value; `tail`: characters that follow it (a comma). */
function print(value: unknown, indent: string, used: number, tail: number): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const flat = breaksAlways(value) ? undefined : inlineWithin(value, WIDTH - used - tail);
  if (flat !== undefined) return flat;
  const inner = indent + INDENT;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((v, i) => inner + print(v, inner, inner.length, i < value.length - 1 ? 1 : 0));
    return `[\n${items.join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  const members = entries.map(([k, v], i) => {
    const key = `${JSON.stringify(k)}: `;
    return inner + key + print(v, inner, inner.length + key.length, i < entries.length - 1 ? 1 : 0);
  });
  return `{\n${members.join(',\n')}\n${indent}}`;
}

export function formatJson(value: unknown): string {
  // Prettier keeps a document that opens with `{` and a newline expanded: start as if the line were full.
  return `${print(value, '', WIDTH, 0)}\n`;
}
