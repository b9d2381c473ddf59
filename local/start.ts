import '../adapters/runtime/node20';
// `npm start`: the whole platform on this machine. DynamoDB Local, the REST API and the event bus,
// with routes and rules read from the synthesized template, and the real handler modules running
// in this process. startLocalStack() is the same thing for tests, on random ports.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '../adapters/dynamodb/client';
import { createTableFromTemplate } from '../adapters/dynamodb/create-table';
import { cachedPrograms, dynamoProgramStore } from '../adapters/dynamodb/program-store';
import { problem } from '../adapters/http/problem';
import { redactText } from '../adapters/runtime/redact';
import { DEFAULT_THROTTLE } from '../core/programs/domain/throttle';
import type { ProgramStore } from '../core/programs/ports';
import type { ThrottleChanges } from '../core/programs/use-cases/throttle-limits';
import { seedDemo } from '../tools/seed';
import { withDocs } from './docs';
import { type DynamoDbLocal, javaAvailable, startDynamoDbLocal } from './dynamodb';
import { createEventBus, type LocalEventBus } from './event-bus';
import { createEventLog, type LoggedEvent } from './event-log';
import { createGateway, createModuleLoader } from './http-gateway';
import { createSfnListener } from './sfn-endpoint';
import { createLocalStepFunctions, type LocalStepFunctions } from './step-functions';
import { type LocalStreamPoller, startStreamPoller } from './stream-poller';
import { type LocalModel, loadLocalModel } from './template';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
export const LOCAL_TABLE_NAME = 'loyalty-local';

export interface StartOptions {
  /** HTTP API port; 0 picks a free one. Default 3000. */
  port?: number;
  /** PutEvents endpoint port; 0 picks a free one. Default 4010. */
  eventsPort?: number;
  /** Use this DynamoDB instead of starting DynamoDB Local. */
  dynamodbEndpoint?: string;
  /** DynamoDB Local port when it is started here; 0 picks a free one. Default 8000. */
  dynamodbPort?: number;
  /** DynamoDB Local data directory; in memory when undefined. */
  dbPath?: string;
  tableName?: string;
  region?: string;
  apiKey?: string;
  adminKey?: string;
  /** The demo program's throttle limits when it is created; tests that tour the API give it room. */
  demoThrottle?: ThrottleChanges;
  /**
   * Directory for state.json (read by `npm run loyalty`), the remembered demo keys and
   * dead-letters.jsonl. Undefined: no state file, no remembered keys, dead letters in a temp dir.
   */
  stateDir?: string;
  /** Short delays between delivery retries (AWS waits minutes). */
  retryBaseDelayMs?: number;
  /**
   * Step Functions endpoint port (state machines from the template). Default 0 (a free one: only the in-process
   * handlers call it); `npm start` uses 4020.
   */
  stepFunctionsPort?: number;
  /** Pause before a state machine retries a task, instead of the definition's backoff (tests). */
  stepFunctionsRetryIntervalMs?: number;
  /** Print each published event's payload under its line (`LOG_EVENTS=full`). */
  logEventPayloads?: boolean;
  /** Do not start the stream poller (tests that stop the stack between a commit and its publication). */
  noStreamPoller?: boolean;
  log?: (line: string) => void;
  logError?: (message: string, error: unknown) => void;
}

export interface LocalStack {
  apiUrl: string;
  eventsEndpoint: string;
  busName: string;
  apiKey: string;
  adminKey: string;
  programId: string;
  tableName: string;
  dynamodbEndpoint: string;
  region: string;
  /** `await stack.bus.whenIdle()` waits for event deliveries, retries included. */
  bus: LocalEventBus;
  /** Where events that exhausted their retries are appended (JSON lines). */
  deadLetterFile: string;
  /** Every event the platform published (JSON lines): what `loyalty events tail` follows. */
  eventsFile: string;
  /** The template's stream event source mappings, polled on DynamoDB Local's stream. */
  stream: LocalStreamPoller | null;
  /** Resolves once the stream is read to its end and the bus has delivered everything (retries included). */
  settled(): Promise<void>;
  /** The synthesized state machines, run by aws-local-stepfunctions with the local handlers. */
  stepFunctions: LocalStepFunctions;
  stepFunctionsEndpoint: string;
  model: LocalModel;
  stop(): Promise<void>;
}

export interface LocalState {
  tableName: string;
  dynamodbEndpoint: string;
  apiUrl: string;
  eventsEndpoint: string;
  eventBusName: string;
  region: string;
  /** Events the bus could not deliver: `npm run loyalty -- dlq redrive` sends them back. */
  deadLetterFile: string;
  /** What the platform published: `npm run --silent loyalty -- events tail` follows it. */
  eventsFile: string;
  pid: number;
}

/**
 * Starts DynamoDB Local (unless given an endpoint), creates and seeds the table, and serves the API
 * and the bus on 127.0.0.1. Handlers run in this process and read their configuration from
 * process.env once, so run one stack per process (vitest gives each test file its own).
 */
export async function startLocalStack(opts: StartOptions = {}): Promise<LocalStack> {
  // Whatever prints, secrets and emails stay out of the console, as out of CloudWatch.
  const print = opts.log ?? ((line: string) => console.log(line));
  const printError = opts.logError ?? ((message: string, error: unknown) => console.error(message, error));
  const log = (line: string) => print(redactText(line));
  const logError = (message: string, error: unknown) =>
    printError(redactText(message), error instanceof Error ? new Error(redactText(error.message)) : error);
  const region = opts.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const tableName = opts.tableName ?? LOCAL_TABLE_NAME;
  const stateDir = opts.stateDir && resolve(opts.stateDir);
  const cleanups: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (err) {
        logError('stopping the local stack', err);
      }
    }
  };

  try {
    process.env.AWS_REGION = region;
    // DynamoDB Local and the local bus accept any credentials; the SDK still wants some.
    if (!process.env.AWS_ACCESS_KEY_ID) {
      process.env.AWS_ACCESS_KEY_ID = 'local';
      process.env.AWS_SECRET_ACCESS_KEY = 'local';
    }

    let dynamodbEndpoint = opts.dynamodbEndpoint;
    if (!dynamodbEndpoint) {
      const port = opts.dynamodbPort ?? 8000;
      if (port !== 0 && !(await portFree(port))) {
        throw new Error(
          `Port ${port} is already in use: set DYNAMODB_PORT to another port, or DYNAMODB_ENDPOINT to use the ` +
            `DynamoDB running there`,
        );
      }
      const ddb: DynamoDbLocal = await startDynamoDbLocal({ port: port === 0 ? undefined : port, dbPath: opts.dbPath });
      cleanups.push(() => ddb.stop());
      dynamodbEndpoint = ddb.endpoint;
    }

    const model = await loadLocalModel({ stage: 'local', region });
    if (!model.table) throw new Error('The synthesized templates have no DynamoDB table');
    if (!model.busName) throw new Error('The synthesized templates have no event bus');
    for (const warning of model.warnings) log(`warning: ${warning}`);

    const client = new DynamoDBClient({ endpoint: dynamodbEndpoint, region });
    try {
      await createTableFromTemplate(client, model.table.template, tableName);
    } finally {
      client.destroy();
    }

    const loadHandler = createModuleLoader(REPO_ROOT);
    const dataDir = stateDir ?? mkdtempSync(join(tmpdir(), 'loyalty-local-'));
    const deadLetterFile = join(dataDir, 'dead-letters.jsonl');
    const eventLog = createEventLog({
      file: join(dataDir, 'events.jsonl'),
      full: opts.logEventPayloads ?? process.env.LOG_EVENTS === 'full',
      log,
    });
    const bus = createEventBus({
      onEvent: (event) => eventLog.record(event as unknown as LoggedEvent),
      rules: model.rules,
      busNames: [model.busName],
      loadHandler,
      region,
      deadLetterFile,
      retryBaseDelayMs: opts.retryBaseDelayMs,
      log,
      logError,
    });
    cleanups.push(() => bus.close());
    const eventsServer = await listen(bus.listener, opts.eventsPort ?? 4010, 'EVENTS_PORT');
    cleanups.push(() => close(eventsServer));
    const eventsEndpoint = `http://127.0.0.1:${(eventsServer.address() as AddressInfo).port}`;

    // Step Functions: the state machines of the template, their Lambda tasks run by the local handlers.
    const stepFunctions = await createLocalStepFunctions({
      templates: model.templates,
      functions: model.functions,
      loadHandler,
      region,
      retryIntervalMs: opts.stepFunctionsRetryIntervalMs,
      log,
      logError,
    });
    cleanups.push(() => stepFunctions.close());
    for (const warning of stepFunctions.warnings) log(`warning: ${warning}`);
    const sfnServer = await listen(
      createSfnListener(stepFunctions, { logError }),
      opts.stepFunctionsPort ?? 0,
      'SFN_PORT',
    );
    cleanups.push(() => close(sfnServer));
    const stepFunctionsEndpoint = `http://127.0.0.1:${(sfnServer.address() as AddressInfo).port}`;

    // Handlers read these when they first run; set them before any handler module is imported.
    Object.assign(process.env, {
      TABLE_NAME: tableName,
      EVENT_BUS_NAME: model.busName,
      DYNAMODB_ENDPOINT: dynamodbEndpoint,
      EVENTBRIDGE_ENDPOINT: eventsEndpoint,
      // The handlers' Step Functions client and the state machine ARNs their environment references.
      STEPFUNCTIONS_ENDPOINT: stepFunctionsEndpoint,
      ...stepFunctions.environment,
      // A readable console: one line per request from the gateway; EMF metrics only matter in CloudWatch.
      // The local seal for signing secrets (on AWS: the stack's KMS key); kept with the data it opens.
      LOCAL_SECRET_KEY: localSecretKey(opts.stateDir),
      // Webhooks may target http and private addresses (a receiver on this machine); never set on AWS.
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'WARN',
      POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
    });

    // The ledger's events: the template's stream mappings on DynamoDB Local's stream, with a checkpoint
    // kept next to the data (a stack stopped before publishing publishes when it starts again).
    const stream = opts.noStreamPoller
      ? null
      : await startStreamPoller({
          mappings: model.streamMappings,
          dynamodbEndpoint,
          region,
          tableName,
          loadHandler,
          checkpointFile: join(dataDir, 'stream-checkpoint.json'),
          deadLetterFile,
          log,
          logError,
        });
    if (stream) cleanups.push(() => stream.stop());

    const seeded = await seedDemo({
      tableName,
      endpoint: dynamodbEndpoint,
      apiKey: opts.apiKey,
      adminKey: opts.adminKey,
      throttle: opts.demoThrottle,
      ...(stateDir && { keysFile: join(stateDir, 'keys.json') }),
    });

    // The gateway's own reads (usage plans), as API Gateway reads its own configuration.
    const gatewayDdb = createDocumentClient({ endpoint: dynamodbEndpoint, region });
    cleanups.push(() => gatewayDdb.destroy());
    const gateway = createGateway({
      routes: model.routes,
      gatewayResponses: model.gatewayResponses,
      stage: model.stage,
      apiKeySource: model.apiKeySource,
      usagePlanOf: localUsagePlans(dynamoProgramStore(gatewayDdb, tableName)),
      region,
      loadHandler,
      log,
      logError,
    });
    const apiServer = await listen(withDocs(gateway, { logError }), opts.port ?? 3000, 'PORT', GATEWAY_LIMITS);
    cleanups.push(() => close(apiServer));
    const apiUrl = `http://127.0.0.1:${(apiServer.address() as AddressInfo).port}`;

    if (stateDir) {
      const stateFile = join(stateDir, 'state.json');
      const state: LocalState = {
        tableName,
        dynamodbEndpoint,
        apiUrl,
        eventsEndpoint,
        eventBusName: model.busName,
        region,
        deadLetterFile,
        eventsFile: eventLog.file,
        pid: process.pid,
      };
      mkdirSync(stateDir, { recursive: true });
      writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`);
      // A stale state file would point the operator CLI at a DynamoDB that is no longer running.
      cleanups.push(() => {
        if (existsSync(stateFile) && JSON.parse(readFileSync(stateFile, 'utf8')).pid === process.pid) rmSync(stateFile);
      });
    }

    return {
      apiUrl,
      eventsEndpoint,
      busName: model.busName,
      apiKey: seeded.apiKey,
      adminKey: seeded.adminKey,
      programId: seeded.programId,
      tableName,
      dynamodbEndpoint,
      region,
      bus,
      deadLetterFile,
      eventsFile: eventLog.file,
      stream,
      async settled() {
        // Twice: what the bus delivered may have committed more changes to the stream.
        for (let i = 0; i < 2; i++) {
          await stream?.whenIdle();
          await bus.whenIdle();
        }
      },
      stepFunctions,
      stepFunctionsEndpoint,
      model,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * The stage's usage plans, locally: one per program, its limits read from the program's settings.
 * Locally the authorizer returns the program id as the usage identifier (no program has an API
 * Gateway key here), so a program is metered by its id. A change of limits applies within a second,
 * as API Gateway applies a usage plan change within seconds.
 */
function localUsagePlans(store: ProgramStore) {
  const programs = cachedPrograms(store, USAGE_PLAN_REFRESH_MS);
  return async (usageIdentifier: string) => {
    const program = await programs.getProgram(usageIdentifier);
    return program ? (program.throttle ?? DEFAULT_THROTTLE) : null;
  };
}
const USAGE_PLAN_REFRESH_MS = 1_000;

/**
 * API Gateway's limit on the request line and headers (10 KiB), and the answer when a request
 * breaks it: Node's HTTP parser stops reading, so the server answers with a problem document of
 * its own (431) instead of Node's bare status line.
 */
const GATEWAY_LIMITS = {
  maxHeaderSize: 10 * 1024,
  onClientError(err: NodeJS.ErrnoException, socket: Duplex) {
    if (!socket.writable) return;
    if (err.code !== 'HPE_HEADER_OVERFLOW') {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const { statusCode, headers, body } = problem('headers-too-large', 'The request line and headers exceed 10 KiB');
    const lines = Object.entries({
      ...headers,
      'content-length': String(Buffer.byteLength(body)),
      connection: 'close',
    });
    const head = lines.map(([k, v]) => `${k}: ${v}`).join('\r\n');
    socket.end(`HTTP/1.1 ${statusCode} Request Header Fields Too Large\r\n${head}\r\n\r\n${body}`);
  },
};

/**
 * The key that seals secrets locally: LOCAL_SECRET_KEY when set, else `<stateDir>/secret.key`
 * (made once, 0600, so secrets sealed by an earlier run still open), else a fresh one per run.
 */
function localSecretKey(stateDir: string | undefined): string {
  if (process.env.LOCAL_SECRET_KEY) return process.env.LOCAL_SECRET_KEY;
  if (!stateDir) return randomBytes(32).toString('hex');
  const file = join(stateDir, 'secret.key');
  if (!existsSync(file)) {
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

function listen(
  listener: RequestListener,
  port: number,
  envName: string,
  gateway?: { maxHeaderSize: number; onClientError: (err: NodeJS.ErrnoException, socket: Duplex) => void },
): Promise<Server> {
  return new Promise((resolvePromise, reject) => {
    const server = gateway ? createServer({ maxHeaderSize: gateway.maxHeaderSize }, listener) : createServer(listener);
    if (gateway) server.on('clientError', gateway.onClientError);
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE' ? new Error(`Port ${port} is already in use: set ${envName} to another port`) : err,
      ),
    );
    server.listen(port, '127.0.0.1', () => resolvePromise(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolvePromise) => {
    server.close(() => resolvePromise());
    server.closeAllConnections();
  });
}

/** DynamoDB Local binds every interface and the readiness probe cannot tell it from another server on the port. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const probe = createServer();
    probe.once('error', () => resolvePromise(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolvePromise(true)));
  });
}

// ---------------------------------------------------------------------------------------------
// npm start

function envPort(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`${name}=${raw} is not a port number`);
  return port;
}

function banner(stack: LocalStack): string {
  const {
    apiUrl,
    eventsEndpoint,
    busName,
    apiKey,
    adminKey,
    programId,
    tableName,
    dynamodbEndpoint,
    region,
    model,
    stepFunctions,
    stepFunctionsEndpoint,
  } = stack;
  const machines = stepFunctions.machines
    .map((m) => `    ${m.name} (${m.type}): ${m.tasks.map((t) => t.state).join(', ')}`)
    .join('\n');
  const routes = model.routes.map((r) => `    ${r.method.padEnd(6)} ${apiUrl}${r.resourcePath}`).join('\n');
  const rules = model.rules
    .map((r) => `    ${JSON.stringify(r.pattern)} -> ${r.targets.map((t) => t.entry).join(', ')}`)
    .join('\n');
  // Purchases in the future are rejected: the examples happened a moment ago.
  const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const detail = JSON.stringify({
    programId,
    orderId: 'order-1002',
    memberId: 'bob',
    occurredAt: ago(5),
    currency: 'USD',
    amount: 1999,
  });
  const entries = JSON.stringify([
    { EventBusName: busName, Source: 'shop.checkout', DetailType: 'Purchase Completed', Detail: detail },
  ]);
  return `
  API            ${apiUrl}
  API docs       ${apiUrl}/docs   (no key needed; also /openapi.json, /asyncapi.json, /problems)
  Events         ${eventsEndpoint}   (PutEvents; bus "${busName}")
  DynamoDB       ${dynamodbEndpoint}   (table "${tableName}", region ${region})
  Program        ${programId}
  API key        ${apiKey}   (members:read, members:write, purchases:write)
  Admin key      ${adminKey}

  Routes
${routes}
  Event rules
${rules}
  State machines   ${stepFunctionsEndpoint}   (Step Functions API; ASL from the template, tasks run the local handlers)
${machines}

  Try it
    curl -s ${apiUrl}/v1/members/alice -H 'x-api-key: ${apiKey}'

    curl -s -X PUT ${apiUrl}/v1/members/bob -H 'x-api-key: ${apiKey}' \\
      -H 'content-type: application/json' -d '{"email":"bob@example.com","name":"Bob"}'

    curl -s -X POST ${apiUrl}/v1/purchases -H 'x-api-key: ${apiKey}' -H 'content-type: application/json' \\
      -d '{"orderId":"order-1001","memberId":"bob","occurredAt":"${ago(10)}","currency":"USD","amount":4250}'

  Redeem a reward (instant rewards answer with their code; GET /v1/members/alice/rewards lists them)
    curl -s -X POST ${apiUrl}/v1/members/alice/redemptions -H 'x-api-key: ${apiKey}' \\
      -H 'content-type: application/json' -H "Idempotency-Key: $(uuidgen || date +%s%N)" -d '{"rewardId":"coffee-5"}'

  Send an event (AWS CLI; any EventBridge SDK client with endpoint ${eventsEndpoint} works too)
    AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws events put-events --region ${region} \\
      --endpoint-url ${eventsEndpoint} --entries '${entries}'

  Published events print here as they go out (LOG_EVENTS=full for payloads); from another terminal:
    npm run --silent loyalty -- events tail

  Operator CLI: npm run loyalty -- --help     Dead letters: .local/dead-letters.jsonl
  Ctrl-C stops everything.
`;
}

async function main(): Promise<number> {
  console.log('\n  Loyalty points - local stack (DynamoDB Local, REST API, EventBridge rules from the CDK template)\n');
  const dynamodbEndpoint = process.env.DYNAMODB_ENDPOINT || undefined;
  if (!dynamodbEndpoint && !(await javaAvailable())) {
    console.error(`  Java 17+ is required to run DynamoDB Local, and \`java -version\` failed.

    Debian/Ubuntu:  sudo apt-get install -y openjdk-17-jre-headless
    macOS:          brew install openjdk@17   (then follow brew's note to put it on your PATH)

  Or point at a DynamoDB that is already running: DYNAMODB_ENDPOINT=http://127.0.0.1:8000 npm start
`);
    return 1;
  }

  let stack: LocalStack | undefined;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\n  Stopping...');
    await stack?.stop();
    process.exit(code);
  };
  // Registered before DynamoDB Local installs its own exit hook, so the servers close first.
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));
  process.on('uncaughtException', (err) => {
    console.error('  Uncaught error:', err);
    void shutdown(1);
  });
  process.on('unhandledRejection', (err) => {
    console.error('  Unhandled rejection:', err);
    void shutdown(1);
  });

  stack = await startLocalStack({
    port: envPort('PORT', 3000),
    eventsPort: envPort('EVENTS_PORT', 4010),
    stepFunctionsPort: envPort('SFN_PORT', 4020),
    dynamodbPort: envPort('DYNAMODB_PORT', 8000),
    dynamodbEndpoint,
    dbPath: join(REPO_ROOT, '.local', 'dynamodb'),
    stateDir: join(REPO_ROOT, '.local'),
    region: process.env.AWS_REGION || 'us-east-1',
    apiKey: process.env.LOYALTY_API_KEY || undefined,
    adminKey: process.env.LOYALTY_ADMIN_KEY || undefined,
  });
  console.log(banner(stack));
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().then(
    (code) => {
      if (code !== 0) process.exit(code);
    },
    (err) => {
      console.error(`\n  Could not start the local stack: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
