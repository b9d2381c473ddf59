/**
 * `npm run bench -- --load`: the local HTTP API (the gateway, authorizer and handlers of `npm start` on
 * DynamoDB Local) driven for BENCH_LOAD_SECONDS (60) at BENCH_LOAD_CONNECTIONS (32) by autocannon in a
 * child process, every request a new purchase. Reports throughput, p50/p99 and every answer that was not
 * a 2xx; the run fails if there was one. It runs in a process of its own (`runLoad`): handlers read
 * their table and endpoints once per process, and the rest of the bench has its own.
 */
import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startLocalStack } from '../local/start';

export interface LoadFigures {
  seconds: number;
  connections: number;
  requests: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, { count: number }>;
}

async function benchLoad(log: (line: string) => void): Promise<LoadFigures> {
  const seconds = Number(process.env.BENCH_LOAD_SECONDS ?? 60);
  const connections = Number(process.env.BENCH_LOAD_CONNECTIONS ?? 32);
  const stack = await startLocalStack({
    port: 0,
    eventsPort: 0,
    dynamodbPort: 0,
    tableName: 'loyalty-load',
    // The demo program's default limits (50 rps, burst 100) would answer 429s: this measures the
    // platform, not one program's share of it (docs/api.md#limits).
    demoThrottle: { rateLimit: 5_000, burstLimit: 5_000 },
    log: () => {},
    logError: (message, error) => log(`  error: ${message} ${String(error)}`),
  });
  try {
    const args = { url: stack.apiUrl, apiKey: stack.apiKey, connections, seconds, members: 1_000 };
    const client = fork(fileURLToPath(new URL('./load-client.mjs', import.meta.url)), [JSON.stringify(args)]);
    const figures = await new Promise<Omit<LoadFigures, 'seconds' | 'connections'>>((resolve, reject) => {
      client.once('message', (m) => resolve(m as Omit<LoadFigures, 'seconds' | 'connections'>));
      client.once('error', reject);
      client.once('exit', (code) => reject(new Error(`the load client exited with ${code}`)));
    });
    await stack.bus.whenIdle();
    const result = { seconds, connections, ...figures };
    log(
      `\nLoad (POST /v1/purchases on the local HTTP API, ${connections} connections for ${seconds} s, autocannon, ` +
        'every request a new purchase)',
    );
    log(
      `  ${result.requests} requests, ${result.perSecond.toFixed(0)}/s   p50 ${result.p50Ms} ms   p99 ` +
        `${result.p99Ms} ms   non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}`,
    );
    return result;
  } finally {
    await stack.stop();
  }
}

/** Runs the load in a fresh process; its readable lines go to `log`, its figures come back. */
export function runLoad(log: (line: string) => void): Promise<LoadFigures> {
  // Handlers log nothing (their lines would go to stdout, which carries the figures).
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    stdio: 'pipe',
    env: { ...process.env, LOG_LEVEL: 'SILENT' },
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => {
    for (const line of String(d).split('\n')) if (line) log(line);
  });
  return new Promise((resolvePromise, reject) =>
    child.once('exit', (code) =>
      code === 0
        ? resolvePromise(JSON.parse(out) as LoadFigures)
        : reject(new Error(`the load run exited with ${code}`)),
    ),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  benchLoad((line) => process.stderr.write(`${line}\n`)).then(
    (figures) => {
      process.stdout.write(`\n${JSON.stringify(figures)}\n`);
      process.exit(0);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
