// A minimal client for AWS's JSON protocol (DynamoDB, among others: POST / with X-Amz-Target), on
// Node's fetch and sigv4.ts. The SDK is ≈200 KiB of every bundle; the authorizer, on the path of
// every request, needs two GetItems, so it uses this instead. Failures look like the SDK's to
// adapters/runtime/unavailable.ts: the error's name, `$fault`, `$metadata.httpStatusCode`, and the
// socket's `code` for network failures, so a dependency down is still a 503.
import { type AwsCredentials, signRequest } from './sigv4';

export interface AwsJsonOptions {
  service: string;
  /** e.g. `DynamoDB_20120810` */
  targetPrefix: string;
  /** Default `application/x-amz-json-1.0` (DynamoDB); KMS speaks 1.1. */
  contentType?: string;
  region: string;
  /** Default `https://<service>.<region>.amazonaws.com`. */
  endpoint?: string;
  /** Read when a request is signed: on Lambda, the environment's (the role's) credentials. */
  credentials?: () => AwsCredentials;
  /** Attempts in all, as the SDK's standard retry mode (default 3). */
  maxAttempts?: number;
  /** Per attempt, connection included (default 5,000 ms, the SDK clients' request timeout here). */
  attemptTimeoutMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

export class AwsJsonError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { httpStatusCode?: number; attempts: number };
  readonly code?: string;

  constructor(
    name: string,
    message: string,
    meta: { status?: number; attempts: number; code?: string; cause?: unknown },
  ) {
    super(message, { cause: meta.cause });
    this.name = name;
    this.$fault = meta.status !== undefined && meta.status < 500 ? 'client' : 'server';
    this.$metadata = { httpStatusCode: meta.status, attempts: meta.attempts };
    this.code = meta.code;
  }
}

/** Names AWS uses for "slow down" (a 400 status, yet worth a retry). */
const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);

export function environmentCredentials(): AwsCredentials {
  const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey)
    throw new AwsJsonError('CredentialsProviderError', 'No AWS credentials in the environment (AWS_ACCESS_KEY_ID)', {
      status: 400,
      attempts: 0,
    });
  const sessionToken = process.env.AWS_SESSION_TOKEN;
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

export function awsJsonClient(opts: AwsJsonOptions) {
  const url = new URL(opts.endpoint ?? `https://${opts.service}.${opts.region}.amazonaws.com/`);
  const maxAttempts = opts.maxAttempts ?? 3;
  const timeoutMs = opts.attemptTimeoutMs ?? 5_000;
  const doFetch = opts.fetch ?? fetch;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const credentials = opts.credentials ?? environmentCredentials;

  async function attempt(operation: string, body: string, n: number): Promise<unknown> {
    const headers = signRequest({
      method: 'POST',
      url,
      headers: {
        'content-type': opts.contentType ?? 'application/x-amz-json-1.0',
        'x-amz-target': `${opts.targetPrefix}.${operation}`,
      },
      body,
      region: opts.region,
      service: opts.service,
      credentials: credentials(),
    });
    let res: Response;
    let text: string;
    try {
      res = await doFetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
      text = await res.text();
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause;
      const timedOut = (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError';
      throw new AwsJsonError(timedOut ? 'TimeoutError' : 'NetworkError', `${operation}: ${(err as Error).message}`, {
        attempts: n,
        code: cause?.code ?? (timedOut ? 'ETIMEDOUT' : undefined),
        cause: err,
      });
    }
    if (res.ok) return text ? JSON.parse(text) : {};
    let type = `Http${res.status}`;
    let message = text.slice(0, 200);
    try {
      const parsed = JSON.parse(text) as { __type?: string; message?: string; Message?: string };
      type = parsed.__type?.split('#').pop() ?? type;
      message = parsed.message ?? parsed.Message ?? message;
    } catch {
      // not JSON: a proxy's or load balancer's page
    }
    throw new AwsJsonError(type, `${operation}: ${message}`, { status: res.status, attempts: n });
  }

  return {
    /** One operation, e.g. `call('GetItem', { TableName, Key })`, retried on faults and throttling. */
    async call<T>(operation: string, input: unknown): Promise<T> {
      const body = JSON.stringify(input);
      for (let n = 1; ; n++) {
        try {
          return (await attempt(operation, body, n)) as T;
        } catch (err) {
          const e = err as AwsJsonError;
          const retryable = e.$fault === 'server' || THROTTLING.has(e.name);
          if (!retryable || n >= maxAttempts) throw err;
          // Full jitter on 50 ms doubling, as the SDK's standard mode backs off.
          await sleep(Math.random() * Math.min(1_000, 50 * 2 ** n));
        }
      }
    },
  };
}
