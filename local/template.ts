// Reads the synthesized CloudFormation templates into the model the embedded run needs: HTTP routes
// (with their authorizer), gateway responses, event rules and their targets, the table and the bus.
// The templates are the single source of truth, so a route or rule added in infra/ runs locally
// without touching local/.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ThrottleSettings } from './throttle';

export type CfnTemplate = {
  Resources?: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
};
export type CfnResource = { Type: string; Properties?: Record<string, any>; Metadata?: Record<string, any> };

export const ENTRY_METADATA = 'loyalty:entry';
export const LOCAL_ACCOUNT = '000000000000';

export interface LambdaFunctionModel {
  stackName: string;
  logicalId: string;
  functionName: string;
  /** Handler module relative to the repo root, from the `loyalty:entry` metadata; null when absent. */
  entry: string | null;
  /** The export to call: the part after the last dot of the Handler property (`index.handler` -> `handler`). */
  handlerExport: string;
  timeoutSeconds: number;
  memorySize: number;
  /** Environment variables whose value is a literal in the template (references are bound locally). */
  environment: Record<string, string>;
  /** Asynchronous invocation (EventBridge -> Lambda) settings; Lambda defaults when not configured. */
  async: { retryAttempts: number; maxEventAgeSeconds: number; onFailure: string | null };
}

export interface AuthorizerModel {
  entry: string | null;
  type: 'REQUEST' | 'TOKEN';
  /** As in the template, e.g. `method.request.header.x-api-key` (comma-separated when several). */
  identitySource: string;
  resultTtlSeconds: number;
  function: LambdaFunctionModel;
}

export interface RouteModel {
  method: string;
  /** API Gateway resource path, e.g. `/v1/members/{memberId}`. */
  resourcePath: string;
  entry: string | null;
  function: LambdaFunctionModel;
  authorizer: AuthorizerModel | null;
  /** The method needs an API key (from the header or the authorizer, per `LocalModel.apiKeySource`). */
  apiKeyRequired: boolean;
  /** The stage's throttle for this method (its own method setting, else the stage's `/*` one); null: none. */
  throttle: ThrottleSettings | null;
}

export interface GatewayResponseModel {
  type: string;
  statusCode: number | null;
  templates: Record<string, string>;
  /** `gatewayresponse.header.X` -> `'literal'` or `method.request.header.Y` etc., as in the template. */
  parameters: Record<string, string>;
}

export interface RuleTargetModel {
  id: string;
  entry: string | null;
  function: LambdaFunctionModel;
  retryAttempts: number;
  maxEventAgeSeconds: number;
  /** ARN of the target's dead-letter queue, null when none. */
  dlq: string | null;
  input?: string;
  inputPath?: string;
  inputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
}

export interface RuleModel {
  name: string;
  eventBusName: string;
  pattern: Record<string, unknown>;
  targets: RuleTargetModel[];
}

export interface TableModel {
  stackName: string;
  logicalId: string;
  type: string;
  /** Properties with intrinsics resolved. */
  properties: Record<string, any>;
  /** The whole template of the stack holding the table (what createTableFromTemplate reads). */
  template: CfnTemplate;
}

/** A Lambda event source mapping on the table's stream (AWS::Lambda::EventSourceMapping). */
export interface StreamMappingModel {
  logicalId: string;
  function: LambdaFunctionModel;
  /** The resolved EventSourceArn: `arn:aws:dynamodb:<region>:<account>:table/<name>/stream/local`. */
  eventSourceArn: string;
  startingPosition: 'LATEST' | 'TRIM_HORIZON';
  batchSize: number;
  batchingWindowSeconds: number;
  bisectOnError: boolean;
  /** -1: until the record expires (Lambda's default). */
  retryAttempts: number;
  maxRecordAgeSeconds: number;
  reportBatchItemFailures: boolean;
  /** FilterCriteria patterns (EventBridge pattern syntax on the record); empty: every record. */
  filters: Record<string, unknown>[];
  /** The on-failure destination's ARN; null when none is configured. */
  onFailure: string | null;
}

export interface LocalModel {
  /** API Gateway stage name (used in method ARNs and `requestContext.stage`). */
  stage: string;
  /** Where methods that need an API key take it from: the `x-api-key` header or the authorizer's answer. */
  apiKeySource: 'HEADER' | 'AUTHORIZER';
  routes: RouteModel[];
  gatewayResponses: GatewayResponseModel[];
  rules: RuleModel[];
  functions: LambdaFunctionModel[];
  /** Event source mappings on DynamoDB streams (the local stream poller runs them). */
  streamMappings: StreamMappingModel[];
  table: TableModel | null;
  busName: string | null;
  templates: Record<string, CfnTemplate>;
  /** Things found in the templates that the embedded run does not reproduce. */
  warnings: string[];
}

export interface SynthOptions {
  stage?: string;
  /** Defaults to infra/app.ts; tests pass a fixture app. */
  buildApp?: BuildApp;
}

type StackLike = { stackName: string; artifactId: string };
export type BuildApp = (opts: { stage?: string; skipBundling?: boolean; outdir?: string; nag?: boolean }) => {
  app: { synth(): { getStackArtifact(id: string): { template: any } } };
  stateful: StackLike;
  stateless: StackLike;
};

/** Synthesizes the app in-process (no bundling, no cdk-nag) and returns each stack's template by stack name. */
export async function synthTemplates(opts: SynthOptions = {}): Promise<Record<string, CfnTemplate>> {
  const buildApp = opts.buildApp ?? ((await import('../infra/app')).buildApp as unknown as BuildApp);
  const outdir = mkdtempSync(join(tmpdir(), 'loyalty-synth-'));
  try {
    const { app, stateful, stateless } = buildApp({
      stage: opts.stage ?? 'local',
      skipBundling: true,
      outdir,
      nag: false,
    });
    const assembly = app.synth();
    const templates: Record<string, CfnTemplate> = {};
    for (const stack of [stateful, stateless])
      templates[stack.stackName] = assembly.getStackArtifact(stack.artifactId).template;
    return templates;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export async function loadLocalModel(opts: SynthOptions & { region?: string } = {}): Promise<LocalModel> {
  return extractModel(await synthTemplates(opts), { region: opts.region });
}

// ---------------------------------------------------------------------------------------------
// Intrinsic functions

interface ResourceHandle {
  stackName: string;
  logicalId: string;
  resource: CfnResource;
}

export class TemplateSet {
  constructor(
    readonly templates: Record<string, CfnTemplate>,
    readonly region = 'us-east-1',
    readonly account = LOCAL_ACCOUNT,
  ) {}

  resources(type?: string): ResourceHandle[] {
    return Object.entries(this.templates).flatMap(([stackName, t]) =>
      Object.entries(t.Resources ?? {})
        .filter(([, r]) => !type || r.Type === type)
        .map(([logicalId, resource]) => ({ stackName, logicalId, resource })),
    );
  }

  get(stackName: string, logicalId: string): ResourceHandle | undefined {
    const resource = this.templates[stackName]?.Resources?.[logicalId];
    return resource && { stackName, logicalId, resource };
  }

  /** Follows Fn::ImportValue to the exporting stack's Output value. */
  importValue(exportName: string): { stackName: string; value: unknown } {
    for (const [stackName, t] of Object.entries(this.templates)) {
      for (const output of Object.values(t.Outputs ?? {})) {
        if (output.Export && this.resolve(output.Export.Name, stackName) === exportName)
          return { stackName, value: output.Value };
      }
    }
    throw new Error(`Fn::ImportValue: no stack exports "${exportName}"`);
  }

  /** Follows Fn::GetStackOutput (CDK's cross-stack references without exports) to the Output value. */
  stackOutput(arg: unknown, stackName: string): { stackName: string; value: unknown } {
    const { StackName, OutputName } = this.resolve(arg, stackName) as { StackName: string; OutputName: string };
    const output = this.templates[StackName]?.Outputs?.[OutputName];
    if (!output) throw new Error(`Fn::GetStackOutput: no output "${OutputName}" in stack "${StackName}"`);
    return { stackName: StackName, value: output.Value };
  }

  /** The first resource a value refers to (Ref / Fn::GetAtt, through Fn::Join, Fn::Sub, cross-stack references...). */
  referencedResource(value: unknown, stackName: string): ResourceHandle | undefined {
    if (Array.isArray(value)) {
      for (const v of value) {
        const found = this.referencedResource(v, stackName);
        if (found) return found;
      }
      return undefined;
    }
    if (!isObject(value)) return undefined;
    if ('Ref' in value && typeof value.Ref === 'string') return this.get(stackName, value.Ref);
    if ('Fn::GetAtt' in value) {
      const [logicalId] = getAttArgs(value['Fn::GetAtt']);
      return this.get(stackName, logicalId);
    }
    if ('Fn::ImportValue' in value) {
      const imported = this.importValue(String(this.resolve(value['Fn::ImportValue'], stackName)));
      return this.referencedResource(imported.value, imported.stackName);
    }
    if ('Fn::GetStackOutput' in value) {
      const output = this.stackOutput(value['Fn::GetStackOutput'], stackName);
      return this.referencedResource(output.value, output.stackName);
    }
    if ('Fn::Sub' in value) {
      const [text, vars = {}] = Array.isArray(value['Fn::Sub']) ? value['Fn::Sub'] : [value['Fn::Sub']];
      for (const v of Object.values(vars as Record<string, unknown>)) {
        const found = this.referencedResource(v, stackName);
        if (found) return found;
      }
      for (const [, name] of String(text).matchAll(/\$\{([^!}][^}]*)\}/g)) {
        const [logicalId] = name!.split('.');
        const found = this.get(stackName, logicalId!);
        if (found) return found;
      }
      return undefined;
    }
    return this.referencedResource(Object.values(value), stackName);
  }

  /** Evaluates intrinsics to plain values, using local physical names and ARNs. */
  resolve(value: unknown, stackName: string): any {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v, stackName));
    if (!isObject(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [fn] = keys as [string];
      const arg = value[fn];
      switch (fn) {
        case 'Ref':
          return this.ref(String(arg), stackName);
        case 'Fn::GetAtt': {
          const [logicalId, attribute] = getAttArgs(arg);
          return this.getAtt(stackName, logicalId, attribute);
        }
        case 'Fn::Join': {
          const [sep, parts] = arg as [string, unknown];
          const resolved = this.resolve(parts, stackName);
          return (Array.isArray(resolved) ? resolved : [resolved]).join(sep);
        }
        case 'Fn::Select': {
          const [index, list] = arg as [unknown, unknown];
          return (this.resolve(list, stackName) as unknown[])[Number(this.resolve(index, stackName))];
        }
        case 'Fn::Split': {
          const [sep, text] = arg as [string, unknown];
          return String(this.resolve(text, stackName)).split(sep);
        }
        case 'Fn::Sub': {
          const [text, vars = {}] = Array.isArray(arg) ? arg : [arg];
          const bound = this.resolve(vars, stackName) as Record<string, unknown>;
          return String(text).replace(/\$\{(!?)([^}]+)\}/g, (_m, bang: string, name: string) => {
            if (bang) return `\${${name}}`;
            if (name in bound) return String(bound[name]);
            const [logicalId, attribute] = name.split('.');
            return attribute ? this.getAtt(stackName, logicalId!, attribute) : this.ref(logicalId!, stackName);
          });
        }
        case 'Fn::ImportValue': {
          const imported = this.importValue(String(this.resolve(arg, stackName)));
          return this.resolve(imported.value, imported.stackName);
        }
        case 'Fn::GetStackOutput': {
          const output = this.stackOutput(arg, stackName);
          return this.resolve(output.value, output.stackName);
        }
        case 'Fn::If':
          throw new Error('Fn::If is not supported by the local template reader');
      }
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(v, stackName)]));
  }

  private ref(name: string, stackName: string): string {
    switch (name) {
      case 'AWS::Region':
        return this.region;
      case 'AWS::AccountId':
        return this.account;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return stackName;
      case 'AWS::NoValue':
        return '';
    }
    const handle = this.get(stackName, name);
    if (!handle) {
      const param = (this.templates[stackName] as any)?.Parameters?.[name];
      if (param) return String(param.Default ?? name);
      throw new Error(`Ref: no resource "${name}" in ${stackName}`);
    }
    return this.physicalName(handle);
  }

  physicalName({ resource, logicalId, stackName }: ResourceHandle): string {
    const p = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::Events::EventBus':
        return String(this.resolve(p.Name, stackName));
      case 'AWS::DynamoDB::GlobalTable':
      case 'AWS::DynamoDB::Table':
        return p.TableName ? String(this.resolve(p.TableName, stackName)) : logicalId;
      case 'AWS::Lambda::Function':
        return p.FunctionName ? String(this.resolve(p.FunctionName, stackName)) : `${stackName}-${logicalId}`;
      case 'AWS::SQS::Queue':
        return `https://sqs.${this.region}.amazonaws.com/${this.account}/${this.queueName(resource, logicalId, stackName)}`;
      case 'AWS::Events::Rule':
        return p.Name ? String(this.resolve(p.Name, stackName)) : logicalId;
      default:
        return logicalId;
    }
  }

  private queueName(resource: CfnResource, logicalId: string, stackName: string): string {
    const name = resource.Properties?.QueueName;
    return name ? String(this.resolve(name, stackName)) : logicalId;
  }

  private getAtt(stackName: string, logicalId: string, attribute: string): string {
    const handle = this.get(stackName, logicalId);
    if (!handle) throw new Error(`Fn::GetAtt: no resource "${logicalId}" in ${stackName}`);
    const { resource } = handle;
    const arnPrefix = (service: string) => `arn:aws:${service}:${this.region}:${this.account}`;
    if (attribute === 'Arn') {
      switch (resource.Type) {
        case 'AWS::Lambda::Function':
          return `${arnPrefix('lambda')}:function:${this.physicalName(handle)}`;
        case 'AWS::SQS::Queue':
          return `${arnPrefix('sqs')}:${this.queueName(resource, logicalId, stackName)}`;
        case 'AWS::Events::EventBus':
          return `${arnPrefix('events')}:event-bus/${this.physicalName(handle)}`;
        case 'AWS::DynamoDB::GlobalTable':
        case 'AWS::DynamoDB::Table':
          return `${arnPrefix('dynamodb')}:table/${this.physicalName(handle)}`;
        case 'AWS::Events::Rule':
          return `${arnPrefix('events')}:rule/${this.physicalName(handle)}`;
        case 'AWS::SNS::Topic':
          return `${arnPrefix('sns')}:${logicalId}`;
        case 'AWS::IAM::Role':
          return `arn:aws:iam::${this.account}:role/${logicalId}`;
        default:
          return `${arnPrefix('local')}:${logicalId}`;
      }
    }
    if (attribute === 'Name' || attribute === 'QueueName') {
      return resource.Type === 'AWS::SQS::Queue'
        ? this.queueName(resource, logicalId, stackName)
        : this.physicalName(handle);
    }
    if (attribute === 'QueueUrl') return this.physicalName(handle);
    if (attribute === 'StreamArn' && resource.Type.startsWith('AWS::DynamoDB::'))
      return `${arnPrefix('dynamodb')}:table/${this.physicalName(handle)}/stream/local`;
    return `${logicalId}.${attribute}`;
  }
}

function getAttArgs(arg: unknown): [string, string] {
  if (Array.isArray(arg)) return [String(arg[0]), String(arg[1])];
  const [logicalId, ...rest] = String(arg).split('.');
  return [logicalId!, rest.join('.')];
}

// ---------------------------------------------------------------------------------------------
// Extraction

/** Lambda's own defaults for asynchronous invocation. */
const ASYNC_DEFAULTS = { retryAttempts: 2, maxEventAgeSeconds: 21_600 };
/** EventBridge's defaults for a target without a RetryPolicy. */
const TARGET_DEFAULTS = { retryAttempts: 185, maxEventAgeSeconds: 86_400 };

export function extractModel(templates: Record<string, CfnTemplate>, opts: { region?: string } = {}): LocalModel {
  const set = new TemplateSet(templates, opts.region);
  const warnings: string[] = [];
  const functions = new Map<string, LambdaFunctionModel>();

  const functionModel = (handle: ResourceHandle): LambdaFunctionModel => {
    const key = `${handle.stackName}/${handle.logicalId}`;
    const cached = functions.get(key);
    if (cached) return cached;
    const p = handle.resource.Properties ?? {};
    const invokeConfig = set
      .resources('AWS::Lambda::EventInvokeConfig')
      .find((c) => sameResource(set.referencedResource(c.resource.Properties?.FunctionName, c.stackName), handle));
    const ic = invokeConfig?.resource.Properties ?? {};
    const onFailure = ic.DestinationConfig?.OnFailure?.Destination ?? p.DeadLetterConfig?.TargetArn;
    const entry = handle.resource.Metadata?.[ENTRY_METADATA];
    const model: LambdaFunctionModel = {
      stackName: handle.stackName,
      logicalId: handle.logicalId,
      functionName: set.physicalName(handle),
      entry: typeof entry === 'string' ? entry : null,
      handlerExport: String(p.Handler ?? 'index.handler')
        .split('.')
        .pop()!,
      timeoutSeconds: Number(p.Timeout ?? 3),
      memorySize: Number(p.MemorySize ?? 128),
      environment: Object.fromEntries(
        Object.entries((p.Environment?.Variables ?? {}) as Record<string, unknown>).filter(
          (e): e is [string, string] => typeof e[1] === 'string',
        ),
      ),
      async: {
        retryAttempts: Number(ic.MaximumRetryAttempts ?? ASYNC_DEFAULTS.retryAttempts),
        maxEventAgeSeconds: Number(ic.MaximumEventAgeInSeconds ?? ASYNC_DEFAULTS.maxEventAgeSeconds),
        onFailure: onFailure ? String(set.resolve(onFailure, handle.stackName)) : null,
      },
    };
    if (model.entry === null) warnings.push(`${key}: no "${ENTRY_METADATA}" metadata, it cannot run locally`);
    functions.set(key, model);
    return model;
  };

  const lambdaBehind = (value: unknown, stackName: string, what: string): LambdaFunctionModel | null => {
    let handle = set.referencedResource(value, stackName);
    // An alias or version points at its function.
    while (
      handle &&
      (handle.resource.Type === 'AWS::Lambda::Alias' || handle.resource.Type === 'AWS::Lambda::Version')
    ) {
      handle = set.referencedResource(handle.resource.Properties?.FunctionName, handle.stackName);
    }
    if (handle?.resource.Type === 'AWS::Lambda::Function') return functionModel(handle);
    warnings.push(`${what}: target is not a Lambda function${handle ? ` (${handle.resource.Type})` : ''}, skipped`);
    return null;
  };

  // Every function tagged with an entry, whether or not a route or rule uses it.
  for (const handle of set.resources('AWS::Lambda::Function')) {
    if (handle.resource.Metadata?.[ENTRY_METADATA]) functionModel(handle);
  }

  // --- REST API
  const resourcePath = (resourceId: unknown, stackName: string): string => {
    const handle = set.referencedResource(resourceId, stackName);
    if (!handle) throw new Error(`Cannot resolve API resource ${JSON.stringify(resourceId)}`);
    if (handle.resource.Type === 'AWS::ApiGateway::RestApi') return '/'; // GetAtt RootResourceId
    const p = handle.resource.Properties ?? {};
    const parent = resourcePath(p.ParentId, handle.stackName);
    return `${parent === '/' ? '' : parent}/${p.PathPart}`;
  };

  const stages = set.resources('AWS::ApiGateway::Stage').map((s) => String(s.resource.Properties?.StageName));
  const deploymentStages = set
    .resources('AWS::ApiGateway::Deployment')
    .map((d) => d.resource.Properties?.StageName)
    .filter((s): s is string => typeof s === 'string');
  const stage = stages[0] ?? deploymentStages[0] ?? 'v1';
  const apis = set.resources('AWS::ApiGateway::RestApi');
  const apiKeySource = apis[0]?.resource.Properties?.ApiKeySourceType === 'AUTHORIZER' ? 'AUTHORIZER' : 'HEADER';
  const methodSettings = (set.resources('AWS::ApiGateway::Stage')[0]?.resource.Properties?.MethodSettings ??
    []) as Record<string, unknown>[];
  // API Gateway's account limits stand in for the half of a method setting that is left out.
  const stageThrottle = (method: string, path: string): ThrottleSettings | null => {
    // `/~1v1~1members`: the resource path, its slashes escaped as in a JSON pointer.
    const escaped = `/${path.replace(/\//g, '~1')}`;
    const setting =
      methodSettings.find((m) => m.ResourcePath === escaped && m.HttpMethod === method) ??
      methodSettings.find((m) => m.ResourcePath === '/*' && m.HttpMethod === '*');
    if (!setting || (setting.ThrottlingRateLimit === undefined && setting.ThrottlingBurstLimit === undefined))
      return null;
    return {
      rateLimit: Number(setting.ThrottlingRateLimit ?? 10_000),
      burstLimit: Number(setting.ThrottlingBurstLimit ?? 5_000),
    };
  };

  const routes: RouteModel[] = [];
  for (const { stackName, logicalId, resource } of set.resources('AWS::ApiGateway::Method')) {
    const p = resource.Properties ?? {};
    const method = String(p.HttpMethod).toUpperCase();
    const path = resourcePath(p.ResourceId, stackName);
    const integration = p.Integration ?? {};
    if (integration.Type !== 'AWS_PROXY') {
      warnings.push(
        `${method} ${path}: ${integration.Type ?? 'no'} integration is not reproduced locally (only Lambda proxy)`,
      );
      continue;
    }
    const fn = lambdaBehind(integration.Uri, stackName, `${stackName}/${logicalId}`);
    if (!fn) continue;
    let authorizer: AuthorizerModel | null = null;
    if (p.AuthorizationType === 'CUSTOM') {
      const handle = set.referencedResource(p.AuthorizerId, stackName);
      const ap = handle?.resource.Properties ?? {};
      const afn = handle && lambdaBehind(ap.AuthorizerUri, handle.stackName, `${handle.stackName}/${handle.logicalId}`);
      if (!handle || !afn) throw new Error(`${method} ${path}: cannot resolve its authorizer`);
      authorizer = {
        entry: afn.entry,
        type: ap.Type === 'TOKEN' ? 'TOKEN' : 'REQUEST',
        identitySource: String(ap.IdentitySource ?? (ap.Type === 'TOKEN' ? 'method.request.header.Authorization' : '')),
        resultTtlSeconds: Number(ap.AuthorizerResultTtlInSeconds ?? 300),
        function: afn,
      };
    } else if (p.AuthorizationType && p.AuthorizationType !== 'NONE') {
      warnings.push(`${method} ${path}: ${p.AuthorizationType} authorization is not enforced locally`);
    }
    routes.push({
      method,
      resourcePath: path,
      entry: fn.entry,
      function: fn,
      authorizer,
      apiKeyRequired: p.ApiKeyRequired === true || p.ApiKeyRequired === 'true',
      throttle: stageThrottle(method, path),
    });
  }
  routes.sort((a, b) => a.resourcePath.localeCompare(b.resourcePath) || a.method.localeCompare(b.method));

  const gatewayResponses: GatewayResponseModel[] = set
    .resources('AWS::ApiGateway::GatewayResponse')
    .map(({ stackName, resource }) => {
      const p = set.resolve(resource.Properties ?? {}, stackName);
      return {
        type: String(p.ResponseType),
        statusCode: p.StatusCode === undefined ? null : Number(p.StatusCode),
        templates: p.ResponseTemplates ?? {},
        parameters: p.ResponseParameters ?? {},
      };
    });

  // --- EventBridge
  const buses = set.resources('AWS::Events::EventBus');
  const busName = buses[0] ? set.physicalName(buses[0]) : null;

  const rules: RuleModel[] = [];
  for (const { stackName, logicalId, resource } of set.resources('AWS::Events::Rule')) {
    const p = resource.Properties ?? {};
    const name = p.Name ? String(set.resolve(p.Name, stackName)) : logicalId;
    if (p.State === 'DISABLED') continue;
    if (!p.EventPattern) {
      if (p.ScheduleExpression)
        warnings.push(
          `rule ${name}: schedule ${JSON.stringify(set.resolve(p.ScheduleExpression, stackName))} is not run locally`,
        );
      continue;
    }
    const targets: RuleTargetModel[] = [];
    for (const t of (p.Targets ?? []) as any[]) {
      const fn = lambdaBehind(t.Arn, stackName, `rule ${name} target ${t.Id}`);
      if (!fn) continue;
      targets.push({
        id: String(t.Id),
        entry: fn.entry,
        function: fn,
        retryAttempts: Number(t.RetryPolicy?.MaximumRetryAttempts ?? TARGET_DEFAULTS.retryAttempts),
        maxEventAgeSeconds: Number(t.RetryPolicy?.MaximumEventAgeInSeconds ?? TARGET_DEFAULTS.maxEventAgeSeconds),
        dlq: t.DeadLetterConfig?.Arn ? String(set.resolve(t.DeadLetterConfig.Arn, stackName)) : null,
        ...(t.Input !== undefined && { input: String(set.resolve(t.Input, stackName)) }),
        ...(t.InputPath !== undefined && { inputPath: String(t.InputPath) }),
        ...(t.InputTransformer !== undefined && { inputTransformer: set.resolve(t.InputTransformer, stackName) }),
      });
    }
    rules.push({
      name,
      eventBusName:
        p.EventBusName === undefined ? 'default' : busNameOf(String(set.resolve(p.EventBusName, stackName))),
      pattern: set.resolve(typeof p.EventPattern === 'string' ? JSON.parse(p.EventPattern) : p.EventPattern, stackName),
      targets,
    });
  }

  // --- Table
  const tableHandle = [...set.resources('AWS::DynamoDB::GlobalTable'), ...set.resources('AWS::DynamoDB::Table')][0];
  const table: TableModel | null = tableHandle
    ? {
        stackName: tableHandle.stackName,
        logicalId: tableHandle.logicalId,
        type: tableHandle.resource.Type,
        properties: set.resolve(tableHandle.resource.Properties ?? {}, tableHandle.stackName),
        template: templates[tableHandle.stackName]!,
      }
    : null;

  // --- Stream event source mappings
  const streamMappings: StreamMappingModel[] = [];
  for (const { stackName, logicalId, resource } of set.resources('AWS::Lambda::EventSourceMapping')) {
    const p = set.resolve(resource.Properties ?? {}, stackName);
    const source = String(p.EventSourceArn ?? '');
    if (!/:dynamodb:.*\/stream\//.test(source)) {
      warnings.push(`${stackName}/${logicalId}: event source ${source} is not a DynamoDB stream, skipped`);
      continue;
    }
    const fn = lambdaBehind(resource.Properties?.FunctionName, stackName, `${stackName}/${logicalId}`);
    if (!fn) continue;
    const filters = ((p.FilterCriteria?.Filters ?? []) as { Pattern: string }[]).map((f) => JSON.parse(f.Pattern));
    streamMappings.push({
      logicalId,
      function: fn,
      eventSourceArn: source,
      startingPosition: p.StartingPosition === 'TRIM_HORIZON' ? 'TRIM_HORIZON' : 'LATEST',
      batchSize: Number(p.BatchSize ?? 100),
      batchingWindowSeconds: Number(p.MaximumBatchingWindowInSeconds ?? 0),
      bisectOnError: p.BisectBatchOnFunctionError === true,
      retryAttempts: Number(p.MaximumRetryAttempts ?? -1),
      maxRecordAgeSeconds: Number(p.MaximumRecordAgeInSeconds ?? -1),
      reportBatchItemFailures: (p.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
      filters,
      onFailure: p.DestinationConfig?.OnFailure?.Destination ? String(p.DestinationConfig.OnFailure.Destination) : null,
    });
  }

  return {
    stage,
    apiKeySource,
    routes,
    gatewayResponses,
    rules,
    functions: [...functions.values()],
    streamMappings,
    table,
    busName,
    templates,
    warnings,
  };
}

/** `arn:aws:events:region:account:event-bus/name` or `name` -> `name`. */
export function busNameOf(nameOrArn: string): string {
  const match = /^arn:[^:]+:events:[^:]*:[^:]*:event-bus\/(.+)$/.exec(nameOrArn);
  return match ? match[1]! : nameOrArn;
}

function sameResource(a: ResourceHandle | undefined, b: ResourceHandle): boolean {
  return !!a && a.stackName === b.stackName && a.logicalId === b.logicalId;
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
