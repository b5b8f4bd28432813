/**
 * Generator state (certificateVersion): kept in .yo-rc.json, and also read from scripts/project.env on disk,
 * where a rotation made with OpenSSL alone (scripts/generate-certs.sh) raises CERTIFICATE_VERSION by hand. The
 * higher version wins, so the generator never moves a project back to an older certificate. Pure.
 */
import { AnswersError } from './answer-intake.js';
import { INITIAL_STATE } from './model.js';
import type { State } from './model.js';

export const PROJECT_ENV_PATH = 'scripts/project.env';
const VERSION_LINE = /^CERTIFICATE_VERSION=(.*)$/m;

function parseVersion(raw: unknown, where: string, fix: string): number {
  const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new AnswersError([
      {
        field: 'certificateVersion',
        message: `${JSON.stringify(raw)} in ${where} is not valid: expected a whole number from 1; ${fix}`,
      },
    ]);
  }
  return value;
}

export function readState(
  stored: Record<string, unknown>,
  projectEnv: string | undefined,
): { state: State; notes: string[] } {
  const raw = stored.certificateVersion;
  const fromConfig =
    raw === undefined ? INITIAL_STATE.certificateVersion : parseVersion(raw, '.yo-rc.json', 'restore it from git');
  const line = projectEnv === undefined ? undefined : VERSION_LINE.exec(projectEnv);
  if (!line) return { state: { certificateVersion: fromConfig }, notes: [] };
  const fromEnv = parseVersion(
    line[1]?.trim().replace(/^(['"])(.*)\1$/, '$2'),
    PROJECT_ENV_PATH,
    'write the version as a plain number, such as CERTIFICATE_VERSION=2',
  );
  if (fromEnv <= fromConfig) return { state: { certificateVersion: fromConfig }, notes: [] };
  return {
    state: { certificateVersion: fromEnv },
    notes: [
      `Certificate version ${fromEnv} taken from ${PROJECT_ENV_PATH} (raised there after scripts/generate-certs.sh).`,
    ],
  };
}
