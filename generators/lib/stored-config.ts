/**
 * .yo-rc.json, read and written by this tool itself (not through Yeoman's storage), so that a damaged file is
 * refused with the file named and the fix, and the write is crash-safe and last. Other generators' entries in
 * the file are kept. Pure.
 */
export const YO_RC_PATH = '.yo-rc.json';
export const CONFIG_KEY = 'generator-secure-emr';

export class StoredConfigError extends Error {
  constructor(why: string) {
    super(
      `${YO_RC_PATH} ${why}; restore it from git, or delete it and pass every answer again (--answers FILE or options).`,
    );
    this.name = 'StoredConfigError';
  }
}

function parseRoot(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new StoredConfigError(text.trim() === '' ? 'is empty' : 'is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new StoredConfigError('does not hold a JSON object');
  return parsed as Record<string, unknown>;
}

/** This generator's stored answers and state, or {} when there are none. */
export function parseStoredConfig(text: string | undefined): Record<string, unknown> {
  const entry = parseRoot(text)[CONFIG_KEY];
  if (entry === undefined) return {};
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
    throw new StoredConfigError(`has a "${CONFIG_KEY}" entry that is not an object`);
  return entry as Record<string, unknown>;
}

/** The file with this generator's entry replaced, other entries kept. */
export function storedConfigText(previous: string | undefined, values: Record<string, unknown>): string {
  return `${JSON.stringify({ ...parseRoot(previous), [CONFIG_KEY]: values }, null, 2)}\n`;
}
