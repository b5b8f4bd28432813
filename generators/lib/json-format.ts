/**
 * JSON printed the way prettier's json parser prints it (width 120, two spaces): an object or array stays on one
 * line when that line fits, otherwise each member goes on its own line. Prettier keeps such output unchanged
 * (test/format.test.ts checks every emitted JSON file against prettier), and the run need not load prettier.
 */
const WIDTH = 120;
const INDENT = '  ';

function inline(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? '[]' : `[${value.map(inline).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length === 0
      ? '{}'
      : `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${inline(v)}`).join(', ')} }`;
  }
  return JSON.stringify(value);
}

/**
 * Prettier always breaks an array of two or more elements that are all objects with more than one key (or all
 * arrays with more than one element), and so every object or array that contains one.
 */
function breaksAlways(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
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
  const flat = inline(value);
  if (value === null || typeof value !== 'object') return flat;
  if (!breaksAlways(value) && used + flat.length + tail <= WIDTH) return flat;
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
