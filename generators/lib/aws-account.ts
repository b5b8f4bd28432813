/** The AWS account id from STS GetCallerIdentity: short timeout, never fails the run, says why it fell back. */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export type AccountLookup = { accountId: string } | { reason: string };

export const STS_TIMEOUT_MS = 3000;

/** True when some credential source is configured; avoids loading the SDK (and probing IMDS) when none is. */
export function credentialsConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) return true;
  if (env.AWS_PROFILE || env.AWS_WEB_IDENTITY_TOKEN_FILE) return true;
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) return true;
  const home = env.HOME ?? homedir();
  const files = [
    env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, '.aws', 'credentials'),
    env.AWS_CONFIG_FILE ?? join(home, '.aws', 'config'),
  ];
  return files.some((f) => existsSync(f));
}

export async function lookupAccountId(region: string, timeoutMs = STS_TIMEOUT_MS): Promise<AccountLookup> {
  if (!credentialsConfigured()) return { reason: 'no AWS credentials found' };
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<AccountLookup>((resolve) => {
    timer = setTimeout(() => {
      abort.abort();
      resolve({ reason: `STS did not answer within ${timeoutMs / 1000} s` });
    }, timeoutMs);
  });
  const call = (async (): Promise<AccountLookup> => {
    const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
    const client = new STSClient({
      region,
      maxAttempts: 1,
      requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs },
    });
    try {
      const out = await client.send(new GetCallerIdentityCommand({}), { abortSignal: abort.signal });
      return out.Account ? { accountId: out.Account } : { reason: 'STS answered without an account id' };
    } finally {
      client.destroy();
    }
  })().catch((error: unknown) => ({ reason: `STS lookup failed (${error instanceof Error ? error.name : 'error'})` }));
  try {
    return await Promise.race([call, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
