import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { App } from 'aws-cdk-lib';
import { createTableFromTemplate } from '../adapters/dynamodb/create-table';
import { stageConfig } from '../infra/config';
import { StatefulStack } from '../infra/stateful-stack';
import type { WireItem } from './item-size';

export interface WireTransactItem {
  Put?: { Item: WireItem };
  Update?: { Key: WireItem };
  Delete?: { Key: WireItem };
  ConditionCheck?: { Key: WireItem };
}

/** Requests and consumed capacity per DynamoDB operation, counted on a client's middleware stack. */
export class CostMeter {
  requests = new Map<string, number>();
  read = 0;
  write = 0;
  /** Every TransactWriteItems since the last reset, as sent on the wire (AttributeValue items): what AWS sizes. */
  transactWrites: { TransactItems: WireTransactItem[] }[] = [];

  attach(client: DynamoDBDocumentClient | DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as Record<string, unknown>;
        input.ReturnConsumedCapacity ??= 'TOTAL';
        const out = await next(args);
        const op = String(context.commandName ?? 'unknown').replace(/Command$/, '');
        this.requests.set(op, (this.requests.get(op) ?? 0) + 1);
        const cc = (out.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
        for (const c of (Array.isArray(cc) ? cc : cc ? [cc] : []) as {
          CapacityUnits?: number;
          ReadCapacityUnits?: number;
          WriteCapacityUnits?: number;
        }[]) {
          if (/Get|Query|Scan/.test(op)) this.read += c.ReadCapacityUnits ?? c.CapacityUnits ?? 0;
          else this.write += c.WriteCapacityUnits ?? c.CapacityUnits ?? 0;
        }
        return out;
      },
      { step: 'initialize', name: `costMeter${Math.random()}` },
    );
    // After serialization, so the items are exactly the request body (a document client marshals first).
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const body = (args.request as { body?: unknown } | undefined)?.body;
        if (context.commandName === 'TransactWriteItemsCommand') {
          // The JSON body is a string, or its UTF-8 bytes (newer Smithy serializers).
          const json = typeof body === 'string' ? body : new TextDecoder().decode(body as Uint8Array);
          this.transactWrites.push(JSON.parse(json));
        }
        return next(args);
      },
      { step: 'build', name: `costMeterCapture${Math.random()}` },
    );
  }

  reset(): void {
    this.transactWrites = [];
    this.requests.clear();
    this.read = 0;
    this.write = 0;
  }

  total(): number {
    return [...this.requests.values()].reduce((a, b) => a + b, 0);
  }

  perOp(n: number): string {
    return [...this.requests].map(([op, c]) => `${op} ${(c / n).toFixed(2)}`).join(', ') || 'none';
  }
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Runs `count` jobs with `concurrency` workers; returns per-job latencies (ms) and wall time. */
export async function load(count: number, concurrency: number, job: (i: number) => Promise<unknown>) {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const t = performance.now();
        await job(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const wallMs = performance.now() - start;
  latencies.sort((a, b) => a - b);
  return { wallMs, perSecond: (count / wallMs) * 1000, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

export async function createBenchTable(endpoint: string, tableName: string): Promise<void> {
  const app = new App();
  const stack = new StatefulStack(app, 'Loyalty-bench-Stateful', { config: stageConfig('local') });
  const template = app.synth().getStackByName(stack.stackName).template;
  const raw = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await createTableFromTemplate(raw, template, tableName);
}

export const fmt = (n: number, d = 1) => n.toFixed(d);
