import 'vitest';
import { App } from 'aws-cdk-lib';
import type { TestProject } from 'vitest/node';
import { stageConfig } from '../../infra/config';
import { StatefulStack } from '../../infra/stateful-stack';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    statefulTemplate: unknown;
  }
}

let ddb: DynamoDbLocal | undefined;

/** One DynamoDB Local for the whole run (tests create their own tables), and the table as synthesized. */
export async function setup(project: TestProject): Promise<void> {
  if (!process.env.DYNAMODB_ENDPOINT) ddb = await startDynamoDbLocal();
  const endpoint = process.env.DYNAMODB_ENDPOINT ?? ddb!.endpoint;
  process.env.DYNAMODB_ENDPOINT = endpoint;
  project.provide('dynamodbEndpoint', endpoint);

  const app = new App();
  const stack = new StatefulStack(app, 'Loyalty-test-Stateful', { config: stageConfig('local') });
  project.provide('statefulTemplate', app.synth().getStackByName(stack.stackName).template);
}

export async function teardown(): Promise<void> {
  await ddb?.stop();
}
