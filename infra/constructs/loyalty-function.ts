import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { INDEX_NAMES } from '../../adapters/dynamodb/schema';
import type { StageConfig } from '../config';
import { BUNDLE_OPTIONS } from './bundle-options';

/** Repository root: entries, the lock file and the esbuild project root are resolved from here. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * CloudFormation Metadata keys the local runner reads from the synthesized template.
 * `entry` is on every AWS::Lambda::Function built by LoyaltyFunction.
 */
export const METADATA = {
  entry: 'loyalty:entry',
  functionName: 'loyalty:function',
} as const;

export type TableAccess = 'R' | 'RW';
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/**
 * Where the functions' EMF business metrics land: the namespace, and the `service` dimension Powertools adds to every
 * metric (an alarm on one must name it).
 */
export const BUSINESS_METRICS = { namespace: 'Loyalty', service: 'loyalty' } as const;

export interface LoyaltyFunctionProps {
  /** Module under functions/ without extension, e.g. `members-api` -> functions/members-api.ts. */
  readonly name: string;
  readonly config: StageConfig;
  readonly description?: string;
  /** @default 1024 (more memory is also more CPU: faster cold starts with the bundled SDK) */
  readonly memorySize?: number;
  /** @default 10 seconds (API Gateway gives up at 29 s anyway) */
  readonly timeout?: Duration;
  /** @default INFO */
  readonly logLevel?: LogLevel;
  readonly environment?: Record<string, string>;
  /** Asynchronous invocations only (EventBridge, schedules): where events go after the retries. */
  readonly deadLetterQueue?: sqs.IQueue;
  readonly retryAttempts?: number;
  readonly maxEventAge?: Duration;
}

/**
 * A Lambda function bundled from functions/<name>.ts: Node.js 24 on arm64, ESM, minified with
 * source maps, JSON logs in its own log group, X-Ray active, its own role that starts with
 * nothing but its log group. Permissions are added only through bindTable/bindBus, together
 * with the environment variable the handler reads, so the two cannot drift apart.
 */
export class LoyaltyFunction extends Construct implements iam.IGrantable {
  readonly fn: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** Entry path relative to the repository root, e.g. `functions/members-api.ts`. */
  readonly entry: string;
  readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: LoyaltyFunctionProps) {
    super(scope, id);
    const { config } = props;
    const logLevel = props.logLevel ?? 'INFO';
    this.entry = `functions/${props.name}.ts`;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: retentionDays(config.logRetentionDays),
      removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    // Our own role instead of AWSLambdaBasicExecutionRole: it may write to its own log group only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${this.entry}`,
    });
    this.logGroup.grantWrite(this.role);
    this.grantPrincipal = this.role;

    this.fn = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(REPO_ROOT, this.entry),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(10),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel[logLevel],
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      tracing: lambda.Tracing.ACTIVE,
      deadLetterQueue: props.deadLetterQueue,
      retryAttempts: props.retryAttempts,
      maxEventAge: props.maxEventAge,
      environment: {
        POWERTOOLS_SERVICE_NAME: BUSINESS_METRICS.service,
        POWERTOOLS_METRICS_NAMESPACE: BUSINESS_METRICS.namespace,
        LOG_LEVEL: logLevel,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format: nodejs.OutputFormat.ESM,
        mainFields: [...BUNDLE_OPTIONS.mainFields],
        banner: BUNDLE_OPTIONS.banner,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // Ship the SDK version we pin and test against instead of whatever the runtime carries: one
        // bundled file also imports faster than the runtime's SDK resolved file by file (docs/benchmarks.md).
        bundleAwsSDK: true,
        externalModules: [...BUNDLE_OPTIONS.externalModules],
        esbuildArgs: Object.fromEntries(
          Object.entries(BUNDLE_OPTIONS.alias).map(([from, to]) => [`--alias:${from}`, path.join(REPO_ROOT, to)]),
        ),
        forceDockerBundling: false,
      },
    });

    const cfn = this.fn.node.defaultChild as lambda.CfnFunction;
    cfn.addMetadata(METADATA.entry, this.entry);
    cfn.addMetadata(METADATA.functionName, props.name);

    // Tracing.ACTIVE adds xray:PutTraceSegments/PutTelemetryRecords on "*" to the role's policy.
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments/PutTelemetryRecords do not support resource-level permissions; "*" is the only ' +
        'valid resource.',
    });
  }

  /** The function's logical id in its stack, as cdk-nag names its ARN in findings. */
  get logicalId(): string {
    return Stack.of(this).getLogicalId(this.fn.node.defaultChild as lambda.CfnFunction);
  }

  get functionName(): string {
    return this.fn.functionName;
  }

  get functionArn(): string {
    return this.fn.functionArn;
  }

  /**
   * TABLE_NAME plus data-plane access to the table and its indexes, nothing else: reads (get,
   * query, scan, condition checks) on the table and each named index, writes on the table only.
   * Indexes are listed by ARN rather than `/index/*` so a new index is not readable by accident.
   */
  bindTable(table: dynamodb.ITableV2, access: TableAccess, indexNames: readonly string[] = INDEX_NAMES): this {
    this.fn.addEnvironment('TABLE_NAME', table.tableName);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: TABLE_READ_ACTIONS,
        resources: [table.tableArn, ...indexNames.map((name) => `${table.tableArn}/index/${name}`)],
      }),
    );
    if (access === 'RW') {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: TABLE_WRITE_ACTIONS, resources: [table.tableArn] }),
      );
    }
    return this;
  }

  /** SECRETS_KEY_ID plus kms:Encrypt / kms:Decrypt on that key only (adapters/secrets). */
  bindSecrets(key: kms.IKey): this {
    this.fn.addEnvironment('SECRETS_KEY_ID', key.keyArn);
    // Exactly what the seal calls (adapters/secrets/kms-secret-box.ts): no data keys, no re-encryption.
    key.grant(this.role, 'kms:Encrypt', 'kms:Decrypt');
    return this;
  }

  /** EVENT_BUS_NAME plus events:PutEvents on that bus only. */
  bindBus(bus: events.IEventBus): this {
    this.fn.addEnvironment('EVENT_BUS_NAME', bus.eventBusName);
    bus.grantPutEventsTo(this.role);
    return this;
  }
}

export const TABLE_READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:ConditionCheckItem',
];
export const TABLE_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

export function retentionDays(days: number): logs.RetentionDays {
  if (!Object.values(logs.RetentionDays).includes(days)) {
    throw new Error(`logRetentionDays=${days} is not a CloudWatch Logs retention period`);
  }
  return days as logs.RetentionDays;
}
