import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, ListRulesCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEventBus, type EventBridgeEvent, type LocalEventBus, targetInput } from '../../../local/event-bus';
import { createModuleLoader } from '../../../local/http-gateway';
import { type LocalModel, loadLocalModel, type RuleModel } from '../../../local/template';
import { buildFixtureApp } from '../../fixtures/local/fixture-app';
import { received } from '../../fixtures/local/handlers/consumer';

let model: LocalModel;
let bus: LocalEventBus;
let server: Server;
let client: EventBridgeClient;
let deadLetterFile: string;
const logs: string[] = [];

function brokenRule(rule: RuleModel): RuleModel {
  const target = rule.targets[0]!;
  const fn = { ...target.function, entry: 'test/fixtures/local/handlers/does-not-exist.ts' };
  return {
    ...rule,
    name: 'BrokenTarget',
    pattern: { source: ['fixture.broken'] },
    targets: [{ ...target, entry: fn.entry, function: fn, retryAttempts: 1 }],
  };
}

beforeAll(async () => {
  model = await loadLocalModel({ buildApp: buildFixtureApp });
  deadLetterFile = join(mkdtempSync(join(tmpdir(), 'loyalty-bus-')), 'dead-letters.jsonl');
  bus = createEventBus({
    rules: [...model.rules, brokenRule(model.rules[0]!)],
    busNames: [model.busName!],
    loadHandler: createModuleLoader(process.cwd()),
    deadLetterFile,
    retryBaseDelayMs: 5,
    log: (line) => logs.push(line),
    logError: () => {},
  });
  server = createServer(bus.listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  client = new EventBridgeClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});

afterAll(() => {
  bus.close();
  return new Promise<void>((r) => server.close(() => r()));
});

beforeEach(async () => {
  await bus.whenIdle();
  received.length = 0;
  logs.length = 0;
});

const purchase = (detail: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  Source: 'fixture.shop',
  DetailType: 'Purchase Completed',
  Detail: JSON.stringify(detail),
  EventBusName: 'local-fixture',
  ...extra,
});

const deadLetters = () =>
  existsSync(deadLetterFile)
    ? readFileSync(deadLetterFile, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];

describe('local PutEvents endpoint', () => {
  it('accepts PutEvents from the unchanged SDK client and returns an event id per entry', async () => {
    const out = await client.send(
      new PutEventsCommand({ Entries: [purchase({ amount: 10 }), purchase({ amount: 20 })] }),
    );
    expect(out.FailedEntryCount).toBe(0);
    expect(out.Entries).toEqual([{ EventId: expect.any(String) }, { EventId: expect.any(String) }]);
    expect(out.$metadata.httpStatusCode).toBe(200);
  });

  it('delivers the EventBridge envelope to the matching rule target after answering', async () => {
    const time = new Date('2026-11-23T08:00:00.500Z');
    const out = await client.send(
      new PutEventsCommand({ Entries: [purchase({ amount: 42 }, { Time: time, Resources: ['arn:x'] })] }),
    );
    await bus.whenIdle();
    expect(received).toEqual([
      {
        version: '0',
        id: out.Entries![0]!.EventId,
        'detail-type': 'Purchase Completed',
        source: 'fixture.shop',
        account: '000000000000',
        time: '2026-11-23T08:00:00Z',
        region: 'us-east-1',
        resources: ['arn:x'],
        detail: { amount: 42 },
      },
    ]);
  });

  it('accepts the bus ARN as EventBusName', async () => {
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          purchase({ amount: 1 }, { EventBusName: 'arn:aws:events:us-east-1:000000000000:event-bus/local-fixture' }),
        ],
      }),
    );
    await bus.whenIdle();
    expect(out.FailedEntryCount).toBe(0);
    expect(received).toHaveLength(1);
  });

  it('accepts events on the default bus, where no rule of ours listens', async () => {
    const out = await client.send(
      new PutEventsCommand({ Entries: [purchase({ amount: 1 }, { EventBusName: undefined })] }),
    );
    await bus.whenIdle();
    expect(out.FailedEntryCount).toBe(0);
    expect(received).toHaveLength(0);
  });

  it('does not deliver events the pattern does not match', async () => {
    await client.send(
      new PutEventsCommand({ Entries: [purchase({ amount: 0 }), purchase({ amount: 5 }, { Source: 'other' })] }),
    );
    await bus.whenIdle();
    expect(received).toHaveLength(0);
    expect(logs.filter((l) => l.includes('no matching rule'))).toHaveLength(2);
  });

  it('reports failed entries one by one: unknown bus, malformed detail, missing source', async () => {
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          purchase({ amount: 1 }, { EventBusName: 'nope' }),
          purchase({ amount: 1 }, { Detail: '{not json' }),
          purchase({ amount: 1 }, { Detail: '[1,2]' }),
          purchase({ amount: 1 }, { Source: undefined }),
          purchase({ amount: 3 }),
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(4);
    expect(out.Entries).toEqual([
      { ErrorCode: 'ResourceNotFoundException', ErrorMessage: 'Event bus nope does not exist.' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'InvalidArgument', ErrorMessage: expect.stringContaining('Source') },
      { EventId: expect.any(String) },
    ]);
    await bus.whenIdle();
    expect(received.map((e) => e.detail.amount)).toEqual([3]);
  });

  it('rejects more than 10 entries as a ValidationException the SDK surfaces', async () => {
    const entries = Array.from({ length: 11 }, () => purchase({ amount: 1 }));
    await expect(client.send(new PutEventsCommand({ Entries: entries }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('rejects other operations as unknown', async () => {
    await expect(client.send(new ListRulesCommand({}))).rejects.toMatchObject({ name: 'UnknownOperationException' });
  });
});

describe('local delivery retries and dead letters', () => {
  it('retries a failing handler as Lambda async invocation does (2 retries) and then delivers', async () => {
    await client.send(new PutEventsCommand({ Entries: [purchase({ amount: 7, failTimes: 2 })] }));
    await bus.whenIdle();
    expect(received.map((e) => e.detail.amount)).toEqual([7]);
    expect(logs.filter((l) => l.includes('retrying'))).toHaveLength(2);
  });

  it('writes the event to the dead-letter file once the retries are exhausted', async () => {
    const before = deadLetters().length;
    const out = await client.send(new PutEventsCommand({ Entries: [purchase({ amount: 8, failTimes: 99 })] }));
    await bus.whenIdle();
    expect(received).toHaveLength(0);
    const letters = deadLetters().slice(before);
    expect(letters).toEqual([
      expect.objectContaining({
        stage: 'lambda',
        target: 'test/fixtures/local/handlers/consumer.ts',
        attempts: 3,
        destination: null, // the fixture function has no async DLQ: AWS would drop it
        error: { name: 'Error', message: 'attempt 3 failed on purpose' },
        event: expect.objectContaining({ id: out.Entries![0]!.EventId, detail: { amount: 8, failTimes: 99 } }),
      }),
    ]);
    expect(logs.some((l) => l.startsWith('DEAD LETTER'))).toBe(true);
  });

  it('retries a target it cannot invoke under the rule retry policy, then dead-letters to the rule DLQ', async () => {
    const before = deadLetters().length;
    await client.send(new PutEventsCommand({ Entries: [purchase({ amount: 1 }, { Source: 'fixture.broken' })] }));
    await bus.whenIdle();
    expect(deadLetters().slice(before)).toEqual([
      expect.objectContaining({
        stage: 'eventbridge',
        rule: 'BrokenTarget',
        attempts: 2,
        destination: expect.stringMatching(/^arn:aws:sqs:.*RuleDlq/),
      }),
    ]);
  });
});

describe('target input', () => {
  const event = { id: 'e', detail: { a: { b: 1 }, name: 'x' } } as unknown as EventBridgeEvent;
  it('passes the whole event by default, or Input / InputPath / InputTransformer', () => {
    expect(targetInput({}, event)).toBe(event);
    expect(targetInput({ input: '{"fixed":true}' }, event)).toEqual({ fixed: true });
    expect(targetInput({ inputPath: '$.detail.a' }, event)).toEqual({ b: 1 });
    expect(
      targetInput(
        {
          inputTransformer: {
            InputPathsMap: { n: '$.detail.name', a: '$.detail.a' },
            InputTemplate: '{"name": "<n>", "a": <a>}',
          },
        },
        event,
      ),
    ).toEqual({ name: 'x', a: { b: 1 } });
  });
});
