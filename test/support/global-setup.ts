import 'vitest';
import type { TestProject } from 'vitest/node';
import { App } from 'aws-cdk-lib';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb';
import { StatefulStack } from '../../infra/stateful-stack';
import { stageConfig } from '../../infra/config';

declare module "vitest" {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    statefulTemplate: unknown;
  }
}

let ddb: DynamoDbLocal | undefined;

/** One DynamoDB Local for the whole run (tests create their own tables), and the table as synthesized. */
export async function setup(project: TestProject): Promise<void> {
  const endpoint = process.env.DYNAMODB_ENDPOINT ?? (ddb = await startDynamoDbLocal()).endpoint;
  process.env.DYNAMODB_ENDPOINT = endpoint;
  project.provide('dynamodbEndpoint', endpoint);

  const app = new App();
  const stack = new StatefulStack(app, 'Loyalty-test-Stateful', { config: stageConfig('local') });
  project.provide('statefulTemplate', app.synth().getStackByName(stack.stackName).template);
}

export async function teardown(): Promise<void> {
  await ddb?.stop();
}
