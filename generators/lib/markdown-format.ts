/**
 * Markdown as prettier prints it, for the templates this generator ships: pipe tables aligned to their widest
 * cell. The templates are otherwise written in prettier's style; test/format.test.ts checks every emitted
 * Markdown file against prettier, so a template that drifts fails the suite. The run need not load prettier.
 */

function splitRow(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((cell) => cell.trim());
}

const DELIMITER = /^:?-+:?$/;

function alignTable(lines: string[]): string[] {
  const rows = lines.map(splitRow);
  const columns = Math.max(...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) =>
    Math.max(3, ...rows.filter((r) => !r.every((cell) => DELIMITER.test(cell))).map((r) => (r[c] ?? '').length)),
  );
  return rows.map((row) => {
    const isDelimiter = row.every((cell) => DELIMITER.test(cell));
    const cells = widths.map((w, c) => (isDelimiter ? '-'.repeat(w) : (row[c] ?? '').padEnd(w)));
    return `| ${cells.join(' | ')} |`;
  });
}

export function formatMarkdown(text: string): string {
  const out: string[] = [];
  let table: string[] = [];
  let fenced = false;
  const flush = (): void => {
    if (table.length) out.push(...alignTable(table));
    table = [];
  };
  for (const line of text.split('\n')) {
    if (/^(```|~~~)/.test(line)) fenced = !fenced;
    if (!fenced && line.startsWith('|')) {
      table.push(line);
      continue;
    }
    flush();
    out.push(line);
  }
  flush();
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
