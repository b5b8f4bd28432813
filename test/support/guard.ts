/**
 * cfn-guard with the AWS Control Tower proactive controls, from the npm package @cdklabs/cdk-validator-cfnguard
 * (test-only; its main module needs aws-cdk-lib, which is not installed, so only its files are used). Runs the
 * binary without a shell and flattens guard's structured output into findings {template, rule, resource}.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
export const GUARD_PACKAGE_DIR = dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'));
export const CT_RULES_DIR = join(GUARD_PACKAGE_DIR, 'rules', 'control-tower', 'cfn-guard');

/** The bundled binary for this machine, chosen as the package's plugin.js does. */
export function guardBinary(): string {
  const os = ({ linux: 'ubuntu', darwin: 'macos' } as Record<string, string>)[platform()];
  const cpu = ({ x64: 'x86_64', arm64: 'aarch64' } as Record<string, string>)[arch()];
  if (!os || !cpu) throw new Error(`no bundled cfn-guard for ${platform()}/${arch()}`);
  return join(GUARD_PACKAGE_DIR, 'bin', os, cpu, 'cfn-guard');
}

export interface Finding {
  template: string;
  rule: string;
  resource: string;
  message: string;
}

export interface GuardRun {
  findings: Finding[];
  /** guard's status per data file: PASS, FAIL or SKIP (SKIP means it did not evaluate the file). */
  statuses: Record<string, string>;
}

/**
 * Runs every CT rule over `data` (absolute path -> name to report). Each file must parse as JSON with
 * Resources first: guard reads anything else as YAML and reports SKIP, which would look like a pass.
 */
export function runGuard(data: Record<string, string>): GuardRun {
  for (const path of Object.keys(data)) {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { Resources?: object };
    if (!parsed.Resources || Object.keys(parsed.Resources).length === 0) throw new Error(`${path}: no Resources`);
  }
  const args = ['validate', '--rules', CT_RULES_DIR, '--output-format', 'json', '--show-summary', 'none'];
  args.push('--structured', ...Object.keys(data).flatMap((path) => ['--data', path]));
  const proc = spawnSync(guardBinary(), args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (proc.error) throw proc.error;
  if (![0, 5, 19].includes(proc.status ?? -1)) throw new Error(`cfn-guard exited ${proc.status}: ${proc.stderr}`);
  const raw = JSON.parse(proc.stdout.trim() || '[]') as GuardFileResult[];
  const findings = new Map<string, Finding>();
  const statuses: Record<string, string> = {};
  for (const result of raw) {
    const template = data[result.name] ?? result.name;
    statuses[template] = result.status;
    for (const failure of result.not_compliant ?? []) {
      const top = (failure as { Rule?: unknown }).Rule ?? failure;
      walk(top, { template, guardRule: (top as { name?: string }).name ?? '' }, findings);
    }
  }
  return { findings: [...findings.values()], statuses };
}

interface GuardFileResult {
  name: string;
  status: string;
  not_compliant?: unknown[];
}

interface Context {
  template: string;
  guardRule: string;
  rule?: string;
  message?: string;
}

const CT_ID = /\[(CT\.[A-Z0-9-]+\.PR\.\d+)\]:\s*([^\n]*)/;

function walk(node: unknown, ctx: Context, out: Map<string, Finding>): void {
  if (Array.isArray(node)) {
    for (const n of node) walk(n, ctx, out);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  let next = ctx;
  const custom = (record.messages as { custom_message?: unknown } | undefined)?.custom_message;
  const id = typeof custom === 'string' ? CT_ID.exec(custom) : null;
  if (id) next = { ...ctx, rule: id[1], message: (id[2] ?? '').trim() };
  if (typeof record.path === 'string') {
    const resource = /^\/Resources\/([^/]+)/.exec(record.path)?.[1];
    if (resource) {
      const rule = next.rule ?? next.guardRule;
      const key = `${next.template}|${rule}|${resource}`;
      if (!out.has(key)) out.set(key, { template: next.template, rule, resource, message: next.message ?? '' });
    }
  }
  for (const [key, value] of Object.entries(record)) if (key !== 'messages') walk(value, next, out);
}

/** The EMR security configuration as a template, so the CT.EMR.PR.* rules evaluate it. */
export function wrapSecurityConfiguration(documentPath: string, outPath: string): string {
  const document = JSON.parse(readFileSync(documentPath, 'utf8')) as object;
  const template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Resources: {
      SecurityConfiguration: {
        Type: 'AWS::EMR::SecurityConfiguration',
        Properties: { SecurityConfiguration: document },
      },
    },
  };
  writeFileSync(outPath, JSON.stringify(template));
  return outPath;
}
