/**
 * A module resolve hook (registered with node:module's register) that appends every resolved module URL to the
 * file named by RECORD_MODULES_TO. Used to see which packages a run loads.
 */
import { appendFileSync } from 'node:fs';

type Next = (specifier: string, context: unknown) => Promise<{ url: string }>;

export async function resolve(specifier: string, context: unknown, next: Next): Promise<{ url: string }> {
  const result = await next(specifier, context);
  const file = process.env.RECORD_MODULES_TO;
  if (file) appendFileSync(file, `${result.url}\n`);
  return result;
}
