import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE_SCHEMA } from '../../adapters/dynamodb/schema';

export interface LedgerTableProps {
  /** RETAIN + deletion protection in every real stage; tests may relax it. */
  readonly retain: boolean;
}

/** The single table: on-demand, PITR, encrypted, TTL, retained. */
export class LedgerTable extends Construct {
  readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: LedgerTableProps) {
    super(scope, id);
    const s = dynamodb.AttributeType.STRING;
    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: TABLE_SCHEMA.partitionKey, type: s },
      sortKey: { name: TABLE_SCHEMA.sortKey, type: s },
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.retain,
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      timeToLiveAttribute: TABLE_SCHEMA.ttlAttribute,
      dynamoStream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      globalSecondaryIndexes: Object.values(TABLE_SCHEMA.indexes).map((idx) => ({
        indexName: idx.name,
        partitionKey: { name: idx.partitionKey, type: s },
        sortKey: { name: idx.sortKey, type: s },
        projectionType: dynamodb.ProjectionType.ALL,
      })),
    });
  }
}
