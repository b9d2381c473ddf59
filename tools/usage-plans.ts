// The operator CLI's throttling flags and its way to the deployed API's usage plans.
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { apiGatewayUsagePlans } from '../adapters/apigateway/usage-plans';
import type { UsagePlans } from '../core/programs/ports';
import { parseQuota, type ThrottleChanges } from '../core/programs/use-cases/throttle-limits';

export const THROTTLE_OPTIONS = {
  rate: { type: 'string' },
  burst: { type: 'string' },
  quota: { type: 'string' },
} as const;

/** `--rate N --burst N --quota N/day|week|month|none` as changes (checked by the use case); none given: undefined. */
export function throttleFlags(values: { rate?: string; burst?: string; quota?: string }): ThrottleChanges | undefined {
  if (values.rate === undefined && values.burst === undefined && values.quota === undefined) return undefined;
  const whole = (v: string | undefined) => (v === undefined ? undefined : v.trim() === '' ? Number.NaN : Number(v));
  return {
    rateLimit: whole(values.rate),
    burstLimit: whole(values.burst),
    ...(values.quota !== undefined && { quota: parseQuota(values.quota) }),
  };
}

/** The usage plans of the deployed stage: its REST API from the Loyalty-<stage>-Stateless outputs. */
export async function awsUsagePlans(stage = 'dev', cloudFormation = new CloudFormationClient({})): Promise<UsagePlans> {
  const stackName = `Loyalty-${stage}-Stateless`;
  const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
  const output = (key: string) => Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;
  const apiId = output('RestApiId');
  const apiStage = output('ApiStageName');
  if (!apiId || !apiStage)
    throw new Error(`Stack ${stackName} has no RestApiId / ApiStageName output: deploy this version (npm run deploy)`);
  return apiGatewayUsagePlans({ client: new APIGatewayClient({}), apiId, stage: apiStage });
}
