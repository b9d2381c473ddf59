import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';

/** The table's resource in a synthesized stateful template (TableV2 synthesizes AWS::DynamoDB::GlobalTable). */
export function tableResource(template: any): any {
  const found = Object.values<any>(template.Resources ?? {}).find(
    (r) => r.Type === 'AWS::DynamoDB::GlobalTable' || r.Type === 'AWS::DynamoDB::Table',
  );
  if (!found) throw new Error('No DynamoDB table in the template');
  return found.Properties;
}

/** The CreateTable request equivalent to the template's table (keys, indexes, on-demand). */
export function createTableInput(props: any, tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: props.AttributeDefinitions,
    KeySchema: props.KeySchema,
    GlobalSecondaryIndexes: props.GlobalSecondaryIndexes?.map((g: any) => ({
      IndexName: g.IndexName,
      KeySchema: g.KeySchema,
      Projection: g.Projection,
    })),
    // The stream the ledger's events come from (DynamoDB Local supports streams).
    ...(props.StreamSpecification?.StreamViewType
      ? { StreamSpecification: { StreamEnabled: true, StreamViewType: props.StreamSpecification.StreamViewType } }
      : {}),
  };
}

/** Creates the table described by the template if it does not exist yet (idempotent), with its TTL. */
export async function createTableFromTemplate(client: DynamoDBClient, template: any, tableName: string): Promise<void> {
  const props = tableResource(template);
  try {
    await client.send(new CreateTableCommand(createTableInput(props, tableName)));
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
    return;
  }
  for (let i = 0; i < 100; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const ttl = props.TimeToLiveSpecification;
  if (ttl?.Enabled) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { Enabled: true, AttributeName: ttl.AttributeName },
      }),
    );
  }
}
