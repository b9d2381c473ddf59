// Dead letters back to their consumer. An event the bus accepted but its consumer could not process
// (the table was down, the producer was not registered yet, a bug since fixed) waits in the dead
// letters: the SQS queue on AWS, `.local/dead-letters.jsonl` locally. Redriving invokes the
// consumer again with the original event; the consumer is idempotent (an order, a return, an
// engagement event credits once), so a letter redriven twice, or one that had partly landed,
// still credits exactly once. A letter that fails again stays, with its new reason.
import { appendFileSync, existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { LOCAL_ACCOUNT } from '../local/template';

export interface RedriveReport {
  /** Letters the consumer processed this time (credited, or found already credited). */
  redriven: number;
  /** Letters that failed again, with the consumer's reason; they stay in the dead letters. */
  failed: { id: string; detailType: string; reason: string }[];
}

/** Calls the consumer with one event; throws with the consumer's error when it fails. */
export type Invoke = (target: string, event: unknown) => Promise<void>;

interface LocalLetter {
  failedAt: string;
  target: string | null;
  attempts: number;
  error: { name: string; message: string };
  event: { id?: string; 'detail-type'?: string };
  redrives?: number;
}

const describe = (event: unknown) => {
  const e = (event ?? {}) as { id?: unknown; 'detail-type'?: unknown };
  return { id: String(e.id ?? '(no id)'), detailType: String(e['detail-type'] ?? '(no detail-type)') };
};

/**
 * The local dead-letter file, letter by letter. The file is moved aside first, so letters the
 * running stack appends meanwhile are kept; failures are appended back.
 */
export async function redriveLocal(file: string, invoke: Invoke): Promise<RedriveReport> {
  const report: RedriveReport = { redriven: 0, failed: [] };
  if (!existsSync(file)) return report;
  const working = `${file}.redrive-${process.pid}`;
  renameSync(file, working);
  try {
    for (const line of readFileSync(working, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      let letter: LocalLetter;
      try {
        letter = JSON.parse(line);
      } catch {
        appendFileSync(file, `${line}\n`); // not ours to judge: keep it as it was
        continue;
      }
      const target = letter.target ?? 'functions/purchase-consumer.ts';
      try {
        await invoke(target, letter.event);
        report.redriven++;
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        report.failed.push({ ...describe(letter.event), reason });
        const again: LocalLetter = {
          ...letter,
          failedAt: new Date().toISOString(),
          error: { name: err instanceof Error ? err.name : 'Error', message: reason },
          redrives: (letter.redrives ?? 0) + 1,
        };
        appendFileSync(file, `${JSON.stringify(again)}\n`);
      }
    }
  } finally {
    rmSync(working, { force: true });
  }
  return report;
}

/** What the local dead-letter file holds: one line per letter. */
export function listLocal(file: string): { id: string; detailType: string; failedAt: string; reason: string }[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        const letter = JSON.parse(l) as LocalLetter;
        return [{ ...describe(letter.event), failedAt: letter.failedAt, reason: letter.error?.message ?? '' }];
      } catch {
        return [];
      }
    });
}

export interface SqsRedrive {
  sqs: SQSClient;
  lambda: LambdaClient;
  queueUrl: string;
  /** The consumer the letters were meant for (purchase-consumer). */
  functionName: string;
  /** Stop after this many letters (default: until the queue is empty). */
  max?: number;
}

/**
 * The consumer's SQS dead-letter queue: each message body is the original event (as both Lambda's
 * asynchronous-invocation DLQ and EventBridge's target DLQ write it). Invoked synchronously; a
 * success deletes the message, a failure leaves it hidden for this run and visible again after.
 */
export async function redriveSqs(opts: SqsRedrive): Promise<RedriveReport> {
  const report: RedriveReport = { redriven: 0, failed: [] };
  const max = opts.max ?? Number.POSITIVE_INFINITY;
  while (report.redriven + report.failed.length < max) {
    const { Messages = [] } = await opts.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: opts.queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 300, // long enough for this run not to see a failed letter twice
      }),
    );
    if (!Messages.length) break;
    for (const message of Messages) {
      let event: unknown;
      try {
        event = JSON.parse(message.Body ?? '');
      } catch {
        report.failed.push({ id: message.MessageId ?? '?', detailType: '?', reason: 'the message body is not JSON' });
        continue;
      }
      const res = await opts.lambda.send(
        new InvokeCommand({
          FunctionName: opts.functionName,
          InvocationType: 'RequestResponse',
          Payload: new TextEncoder().encode(message.Body),
        }),
      );
      if (res.FunctionError) {
        const payload = res.Payload ? new TextDecoder().decode(res.Payload) : '';
        let reason = res.FunctionError;
        try {
          reason = (JSON.parse(payload) as { errorMessage?: string }).errorMessage ?? reason;
        } catch {}
        report.failed.push({ ...describe(event), reason });
        continue;
      }
      await opts.sqs.send(new DeleteMessageCommand({ QueueUrl: opts.queueUrl, ReceiptHandle: message.ReceiptHandle }));
      report.redriven++;
    }
  }
  return report;
}

/** How many letters the queue holds (without receiving any). */
export async function countSqs(sqs: SQSClient, queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

/** The local invoke: the consumer's handler module, loaded in this process against the local stack. */
export function localInvoke(env: {
  tableName: string;
  dynamodbEndpoint: string;
  eventsEndpoint?: string;
  eventBusName?: string;
}): Invoke {
  process.env.TABLE_NAME = env.tableName;
  process.env.DYNAMODB_ENDPOINT = env.dynamodbEndpoint;
  if (env.eventsEndpoint) process.env.EVENTBRIDGE_ENDPOINT = env.eventsEndpoint;
  if (env.eventBusName) process.env.EVENT_BUS_NAME = env.eventBusName;
  const region = process.env.AWS_REGION ?? 'us-east-1';
  return async (target, event) => {
    // The letter names its target as the template does: the entry file (functions/<name>.ts).
    const name = /^(?:functions\/)?([a-z][a-z0-9-]*)(?:\.ts)?$/.exec(target)?.[1];
    if (!name) throw new Error(`not a function of this project: "${target}"`);
    const mod = (await import(`../functions/${name}.ts`)) as {
      handler: (e: unknown, c: unknown) => Promise<unknown>;
    };
    // As the local stack invokes it: the function runs in the local account (producer checks use it).
    await mod.handler(event, {
      functionName: name,
      invokedFunctionArn: `arn:aws:lambda:${region}:${LOCAL_ACCOUNT}:function:${name}`,
      awsRequestId: `dlq-redrive-${Date.now()}`,
      getRemainingTimeInMillis: () => 30_000,
      callbackWaitsForEmptyEventLoop: false,
    });
  };
}

export interface DlqCommandOptions {
  aws?: boolean;
  stage?: string;
  json?: boolean;
  max?: string;
  /** Local: the state file `npm start` writes (table, endpoints, dead-letter file). */
  stateFile: string;
  /** AWS: a stack's outputs by key (tests pass their own). */
  stackOutputs?: (stackName: string) => Promise<Record<string, string>>;
  clients?: { sqs: SQSClient; lambda: LambdaClient };
}

/** `dlq list` and `dlq redrive`, locally or on AWS; returns the exit code (1 when letters failed again). */
export async function dlqCommand(verb: string | undefined, opts: DlqCommandOptions): Promise<number> {
  const print = (data: unknown, text: string) => console.log(opts.json ? JSON.stringify(data) : text);
  const summary = (r: RedriveReport) =>
    [
      `${r.redriven} letter(s) redriven, ${r.failed.length} failed again (kept in the dead letters)`,
      ...r.failed.map((f) => `  ${f.detailType} ${f.id}: ${f.reason}`),
    ].join('\n');
  if (verb !== 'list' && verb !== 'redrive') throw new Error('usage: dlq list|redrive [--aws [--stage S]] [--max N]');

  if (opts.aws) {
    const stage = opts.stage ?? 'dev';
    const outputs = await (opts.stackOutputs ?? stackOutputs)(`Loyalty-${stage}-Stateless`);
    const queueUrl = outputs.PurchaseConsumerDlqUrl;
    const functionName = outputs.PurchaseConsumerFunctionName;
    if (!queueUrl || !functionName) throw new Error(`Loyalty-${stage}-Stateless has no dead-letter queue outputs`);
    const { sqs, lambda } = opts.clients ?? (await awsClients());
    if (verb === 'list') {
      const counts = await countSqs(sqs, queueUrl);
      print({ queueUrl, ...counts }, `${counts.visible} letter(s) waiting, ${counts.inFlight} in flight (${queueUrl})`);
      return 0;
    }
    const report = await redriveSqs({
      sqs,
      lambda,
      queueUrl,
      functionName,
      max: opts.max ? Number(opts.max) : undefined,
    });
    print(report, summary(report));
    return report.failed.length ? 1 : 0;
  }

  if (!existsSync(opts.stateFile)) {
    throw new Error(`No local stack found (${opts.stateFile} is missing). Start it with \`npm start\`, or use --aws.`);
  }
  const state = JSON.parse(readFileSync(opts.stateFile, 'utf8')) as {
    tableName: string;
    dynamodbEndpoint: string;
    eventsEndpoint?: string;
    eventBusName?: string;
    deadLetterFile?: string;
  };
  const file = state.deadLetterFile ?? '.local/dead-letters.jsonl';
  if (verb === 'list') {
    const letters = listLocal(file);
    print(
      letters,
      [
        `${letters.length} letter(s) in ${file}`,
        ...letters.map((l) => `  ${l.failedAt} ${l.detailType} ${l.id}: ${l.reason}`),
      ].join('\n'),
    );
    return 0;
  }
  const report = await redriveLocal(file, localInvoke(state));
  print(report, summary(report));
  return report.failed.length ? 1 : 0;
}

async function stackOutputs(stackName: string): Promise<Record<string, string>> {
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const { Stacks } = await new CloudFormationClient({}).send(new DescribeStacksCommand({ StackName: stackName }));
  return Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
}

async function awsClients(): Promise<{ sqs: SQSClient; lambda: LambdaClient }> {
  const [{ SQSClient }, { LambdaClient }] = await Promise.all([
    import('@aws-sdk/client-sqs'),
    import('@aws-sdk/client-lambda'),
  ]);
  return { sqs: new SQSClient({}), lambda: new LambdaClient({}) };
}
