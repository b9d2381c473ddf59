import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { dlqCommand, redriveLocal, redriveSqs } from '../../tools/dlq';

const sqsMock = mockClient(SQSClient);
const lambdaMock = mockClient(LambdaClient);
const event = (id: string) => ({ id, 'detail-type': 'Purchase Completed', detail: { orderId: id } });
// The SDK hands Payload back as a Uint8Array with helpers; the handler reads only the bytes.
const encode = (v: unknown) => new TextEncoder().encode(JSON.stringify(v)) as never;

beforeEach(() => {
  sqsMock.reset();
  lambdaMock.reset();
});

describe('dlq redrive on AWS (SQS dead-letter queue -> the consumer Lambda)', () => {
  it('invokes the consumer with each original event; deletes what succeeded, keeps what failed again', async () => {
    sqsMock
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          { MessageId: 'm1', ReceiptHandle: 'h1', Body: JSON.stringify(event('e1')) },
          { MessageId: 'm2', ReceiptHandle: 'h2', Body: JSON.stringify(event('e2')) },
        ],
      })
      .resolves({ Messages: [] });
    lambdaMock
      .on(InvokeCommand)
      .resolvesOnce({ StatusCode: 200, Payload: encode({ replayed: false, points: 10 }) })
      .resolvesOnce({
        StatusCode: 200,
        FunctionError: 'Unhandled',
        Payload: encode({ errorMessage: 'Source "x" is not a registered producer of program "p"' }),
      });
    const report = await redriveSqs({
      sqs: new SQSClient({}),
      lambda: new LambdaClient({}),
      queueUrl: 'https://sqs/q',
      functionName: 'consumer',
    });
    expect(report).toEqual({
      redriven: 1,
      failed: [
        {
          id: 'e2',
          detailType: 'Purchase Completed',
          reason: 'Source "x" is not a registered producer of program "p"',
        },
      ],
    });
    const invoked = lambdaMock.commandCalls(InvokeCommand).map((c) => c.args[0].input);
    expect(invoked.map((i) => [i.FunctionName, i.InvocationType])).toEqual([
      ['consumer', 'RequestResponse'],
      ['consumer', 'RequestResponse'],
    ]);
    expect(JSON.parse(new TextDecoder().decode(invoked[0]!.Payload as Uint8Array))).toEqual(event('e1'));
    expect(sqsMock.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input.ReceiptHandle)).toEqual(['h1']);
  });

  it('`dlq redrive --aws` reads the queue and consumer from the stack outputs; exit 1 when letters stay', async () => {
    sqsMock
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [{ MessageId: 'm', ReceiptHandle: 'h', Body: JSON.stringify(event('e')) }] })
      .resolves({ Messages: [] });
    lambdaMock
      .on(InvokeCommand)
      .resolves({ FunctionError: 'Unhandled', Payload: encode({ errorMessage: 'table down' }) });
    const stacks: string[] = [];
    const code = await dlqCommand('redrive', {
      aws: true,
      stage: 'prod',
      json: true,
      stateFile: 'unused',
      stackOutputs: async (name) => {
        stacks.push(name);
        return { PurchaseConsumerDlqUrl: 'https://sqs/prod-dlq', PurchaseConsumerFunctionName: 'prod-consumer' };
      },
      clients: { sqs: new SQSClient({}), lambda: new LambdaClient({}) },
    });
    expect(code).toBe(1);
    expect(stacks).toEqual(['Loyalty-prod-Stateless']);
    expect(sqsMock.commandCalls(ReceiveMessageCommand)[0]!.args[0].input.QueueUrl).toBe('https://sqs/prod-dlq');
    expect(sqsMock.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });
});

describe('dlq redrive locally (the dead-letter file)', () => {
  it('sends each letter to its target, keeps failures with their new reason and lines it cannot read', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'dlq-')), 'dead-letters.jsonl');
    const letter = (id: string) =>
      JSON.stringify({
        failedAt: '2026-12-01T00:00:00Z',
        target: 'functions/purchase-consumer.ts',
        attempts: 3,
        error: { name: 'Error', message: 'connect ECONNREFUSED' },
        event: event(id),
      });
    writeFileSync(file, `${letter('ok')}\n${letter('bad')}\nnot json\n`);
    const calls: string[] = [];
    const report = await redriveLocal(file, async (target, e) => {
      calls.push(`${target} ${(e as { id: string }).id}`);
      if ((e as { id: string }).id === 'bad') throw new Error('still failing');
    });
    expect(calls).toEqual(['functions/purchase-consumer.ts ok', 'functions/purchase-consumer.ts bad']);
    expect(report).toEqual({
      redriven: 1,
      failed: [{ id: 'bad', detailType: 'Purchase Completed', reason: 'still failing' }],
    });
    const left = readFileSync(file, 'utf8').trim().split('\n');
    expect(left[1]).toBe('not json');
    expect(JSON.parse(left[0]!)).toMatchObject({
      error: { message: 'still failing' },
      redrives: 1,
      event: { id: 'bad' },
    });
  });
});
