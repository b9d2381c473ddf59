// EventBridge for the embedded run: an HTTP endpoint speaking the PutEvents JSON protocol (so the
// unchanged SDK client publishes to it), the rules read from the template, and delivery to their
// Lambda targets the way AWS does it: asynchronously, after PutEvents has answered.
//
// Two retry layers, as in AWS. EventBridge retries only when it cannot invoke the target (here: the
// handler module does not load) under the target's RetryPolicy, then sends to the target's DLQ.
// Once invoked, a Lambda target runs as an asynchronous invocation: a handler error is retried by
// Lambda (the function's EventInvokeConfig, 2 retries by default), then goes to the function's
// on-failure destination or DLQ. Locally every final failure is appended to the dead-letter file,
// naming the queue it would reach in AWS (or none: AWS would drop it).
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import { dirname, resolve } from 'node:path';
import { awsError, readJson, reply } from './aws-json';
import { matchesPattern } from './event-pattern';
import { invokeLambda, type LoadHandler } from './http-gateway';
import { busNameOf, LOCAL_ACCOUNT, type RuleModel, type RuleTargetModel } from './template';

export interface EventBusOptions {
  rules: RuleModel[];
  /** Buses that exist besides `default` (the custom bus from the template). */
  busNames: string[];
  loadHandler: LoadHandler;
  region?: string;
  /** Default `.local/dead-letters.jsonl` under the working directory. */
  deadLetterFile?: string;
  /** Backoff between attempts: base * 2^(attempt-1), capped. Locally short; AWS waits minutes. */
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  log?: (line: string) => void;
  logError?: (message: string, error: unknown) => void;
  /** Sees every accepted event first; true: it logged the event, so no routing line unless a rule matched. */
  onEvent?: (event: EventBridgeEvent) => boolean;
}

export interface PutEventsRequestEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Time?: number | string;
  Resources?: string[];
  TraceHeader?: string;
}

export type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

export interface PutEventsResult {
  FailedEntryCount: number;
  Entries: PutEventsResultEntry[];
}

export interface EventBridgeEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export interface DeadLetter {
  failedAt: string;
  eventBusName: string;
  rule: string;
  target: string | null;
  /** Which side gave up: EventBridge (could not invoke) or Lambda (the invocations failed). */
  stage: 'eventbridge' | 'lambda';
  /** The queue or destination this event would reach in AWS; null when AWS would drop it. */
  destination: string | null;
  attempts: number;
  error: { name: string; message: string };
  event: unknown;
}

export interface LocalEventBus {
  /** The PutEvents endpoint: `http.createServer(bus.listener)`. */
  listener: RequestListener;
  /** PutEvents without HTTP; routes exactly as the endpoint does. */
  putEvents(entries: PutEventsRequestEntry[]): PutEventsResult;
  /** Resolves once every delivery (including retries and events they publish) has finished. */
  whenIdle(): Promise<void>;
  /** Stops scheduling retries; deliveries in flight finish. */
  close(): void;
}

const MAX_ENTRIES = 10;
const MAX_ENTRY_BYTES = 256 * 1024;

export function createEventBus(opts: EventBusOptions): LocalEventBus {
  const region = opts.region ?? 'us-east-1';
  const buses = new Set(['default', ...opts.busNames]);
  const deadLetterFile = resolve(opts.deadLetterFile ?? '.local/dead-letters.jsonl');
  const baseDelay = opts.retryBaseDelayMs ?? 100;
  const maxDelay = opts.retryMaxDelayMs ?? 2_000;
  const log = opts.log ?? ((line) => console.log(line));
  const logError = opts.logError ?? ((message, error) => console.error(message, error));
  const pending = new Set<Promise<void>>();
  let closed = false;

  const sleep = (attempt: number) =>
    new Promise((r) => setTimeout(r, Math.min(baseDelay * 2 ** (attempt - 1), maxDelay)));

  const deadLetter = (letter: Omit<DeadLetter, 'failedAt'>) => {
    const record: DeadLetter = { failedAt: new Date().toISOString(), ...letter };
    mkdirSync(dirname(deadLetterFile), { recursive: true });
    appendFileSync(deadLetterFile, `${JSON.stringify(record)}\n`);
    log(
      `DEAD LETTER ${letter.rule} -> ${letter.target}: ${letter.error.message} after ${letter.attempts} attempt(s)` +
        ` (${letter.stage}; AWS: ${letter.destination ?? 'dropped, no DLQ configured'}) -> ${deadLetterFile}`,
    );
  };

  const deliver = async (rule: RuleModel, target: RuleTargetModel, event: EventBridgeEvent, receivedAt: number) => {
    const fn = target.function;
    const label = `${event['detail-type']} -> ${rule.name} -> ${target.entry}`;
    let payload: unknown;
    try {
      payload = targetInput(target, event);
    } catch (err) {
      return deadLetter({
        eventBusName: rule.eventBusName,
        rule: rule.name,
        target: target.entry,
        stage: 'eventbridge',
        destination: target.dlq,
        attempts: 0,
        error: errorOf(err),
        event,
      });
    }

    // EventBridge side: can the target be invoked at all?
    for (let attempt = 1; ; attempt++) {
      try {
        await opts.loadHandler(fn);
        break;
      } catch (err) {
        const expired = Date.now() - receivedAt > target.maxEventAgeSeconds * 1000;
        if (closed || attempt > target.retryAttempts || expired) {
          logError(`cannot invoke ${target.entry}`, err);
          return deadLetter({
            eventBusName: rule.eventBusName,
            rule: rule.name,
            target: target.entry,
            stage: 'eventbridge',
            destination: target.dlq,
            attempts: attempt,
            error: errorOf(err),
            event,
          });
        }
        await sleep(attempt);
      }
    }

    // Lambda side: asynchronous invocation with the function's own retries.
    const maxAttempts = 1 + fn.async.retryAttempts;
    for (let attempt = 1; ; attempt++) {
      const started = Date.now();
      try {
        await invokeLambda(fn, opts.loadHandler, payload, { region });
        log(`${label} ok ${Date.now() - started}ms${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
        return;
      } catch (err) {
        const expired = Date.now() - receivedAt > fn.async.maxEventAgeSeconds * 1000;
        if (closed || attempt >= maxAttempts || expired) {
          logError(`${label} failed`, err);
          return deadLetter({
            eventBusName: rule.eventBusName,
            rule: rule.name,
            target: target.entry,
            stage: 'lambda',
            destination: fn.async.onFailure,
            attempts: attempt,
            error: errorOf(err),
            event,
          });
        }
        log(`${label} failed (attempt ${attempt}/${maxAttempts}): ${errorOf(err).message}; retrying`);
        await sleep(attempt);
      }
    }
  };

  const route = (event: EventBridgeEvent, busName: string) => {
    const receivedAt = Date.now();
    const matched = opts.rules.filter((r) => r.eventBusName === busName && matchesPattern(r.pattern, event));
    const logged = opts.onEvent?.(event) ?? false;
    if (matched.length || !logged) {
      log(
        `event "${event['detail-type']}" from ${event.source} on ${busName} (${event.id}): ` +
          `${matched.length ? matched.map((r) => r.name).join(', ') : 'no matching rule'}`,
      );
    }
    for (const rule of matched) {
      for (const target of rule.targets) {
        // After the PutEvents response, as in AWS: the publisher never waits for consumers.
        const delivery = new Promise<void>((r) => setImmediate(r))
          .then(() => deliver(rule, target, event, receivedAt))
          .catch((err) => logError(`delivery to ${target.entry} failed`, err))
          .finally(() => pending.delete(delivery));
        pending.add(delivery);
      }
    }
  };

  const putEvents = (entries: PutEventsRequestEntry[]): PutEventsResult => {
    const results = entries.map((entry): PutEventsResultEntry => {
      const checked = validateEntry(entry, buses);
      if ('ErrorCode' in checked) return checked;
      const event: EventBridgeEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.DetailType!,
        source: entry.Source!,
        account: LOCAL_ACCOUNT,
        time: eventTime(entry.Time),
        region,
        resources: entry.Resources ?? [],
        detail: checked.detail,
      };
      route(event, checked.busName);
      return { EventId: event.id };
    });
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  };

  const listener: RequestListener = (req, res) => {
    readJson(req)
      .then((body) => {
        const target = String(req.headers['x-amz-target'] ?? '');
        if (req.method !== 'POST')
          return awsError(res, '1.1', 405, 'UnknownOperationException', `${req.method} is not supported`);
        if (target !== 'AWSEvents.PutEvents') {
          return awsError(
            res,
            '1.1',
            400,
            'UnknownOperationException',
            `Operation ${target || '(none)'} is not supported by the local event bus (PutEvents only)`,
          );
        }
        if (body === undefined)
          return awsError(res, '1.1', 400, 'SerializationException', 'Request body is not valid JSON');
        const entries = (body as { Entries?: unknown }).Entries;
        if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_ENTRIES) {
          return awsError(
            res,
            '1.1',
            400,
            'ValidationException',
            `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length ` +
              `between 1 and ${MAX_ENTRIES}`,
          );
        }
        reply(res, '1.1', 200, putEvents(entries as PutEventsRequestEntry[]));
      })
      .catch((err) => {
        logError('PutEvents failed', err);
        if (!res.headersSent) awsError(res, '1.1', 500, 'InternalException', 'Internal error in the local event bus');
      });
  };

  return {
    listener,
    putEvents,
    async whenIdle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    close() {
      closed = true;
    },
  };
}

function validateEntry(
  entry: PutEventsRequestEntry,
  buses: Set<string>,
): { busName: string; detail: Record<string, unknown> } | { ErrorCode: string; ErrorMessage: string } {
  const busName = busNameOf(entry.EventBusName || 'default');
  if (!buses.has(busName))
    return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${busName} does not exist.` };
  for (const field of ['Source', 'DetailType', 'Detail'] as const) {
    if (typeof entry[field] !== 'string' || entry[field] === '') {
      return {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
      };
    }
  }
  if (entry.Source!.startsWith('aws.'))
    return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
  if (Buffer.byteLength(JSON.stringify(entry)) > MAX_ENTRY_BYTES) {
    return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Total size of the entry exceeds the 256KB limit.' };
  }
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail!);
  } catch {
    detail = undefined;
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail))
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  return { busName, detail: detail as Record<string, unknown> };
}

/** EventBridge's `time`: whole seconds, UTC, `Z` suffix. The SDK sends `Time` as epoch seconds. */
function eventTime(time: number | string | undefined): string {
  const d = time === undefined ? new Date() : typeof time === 'number' ? new Date(time * 1000) : new Date(time);
  return (Number.isNaN(d.getTime()) ? new Date() : d).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** What the target receives: the event, or Input / InputPath / InputTransformer applied to it. */
export function targetInput(
  target: Pick<RuleTargetModel, 'input' | 'inputPath' | 'inputTransformer'>,
  event: EventBridgeEvent,
): unknown {
  if (target.input !== undefined) return JSON.parse(target.input);
  if (target.inputPath !== undefined) return jsonPath(event, target.inputPath);
  if (target.inputTransformer) {
    const values = Object.fromEntries(
      Object.entries(target.inputTransformer.InputPathsMap ?? {}).map(([k, path]) => [k, jsonPath(event, path)]),
    );
    const text = target.inputTransformer.InputTemplate.replace(
      /"<([\w-]+)>"|<([\w-]+)>/g,
      (m, quoted?: string, bare?: string) => {
        const name = (quoted ?? bare)!;
        if (!(name in values)) return m;
        const v = values[name];
        if (quoted) return JSON.stringify(typeof v === 'string' ? v : JSON.stringify(v));
        return typeof v === 'string' ? v : JSON.stringify(v);
      },
    );
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return event;
}

/** `$`, `$.a.b`, `$.a[0]`, `$['a-b']`: the subset of JSONPath EventBridge targets use in practice. */
function jsonPath(value: unknown, path: string): unknown {
  if (!path.startsWith('$')) throw new Error(`Unsupported JSONPath ${path}`);
  const steps = [...path.slice(1).matchAll(/\.([^.[\]]+)|\[(\d+)\]|\['([^']+)'\]/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
  return steps.reduce<unknown>((v, step) => (v as Record<string, unknown> | undefined)?.[step], value);
}

function errorOf(err: unknown): { name: string; message: string } {
  return err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) };
}
