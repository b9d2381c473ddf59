import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app';

// cdk-nag 3 is a CDK validation plugin: findings are not annotations any more but a report the
// synth writes (validation-report.json) and fails on. Acknowledged findings never reach it.

const outdirs: string[] = [];
const outdir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'loyalty-nag-'));
  outdirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of outdirs) rmSync(d, { recursive: true, force: true });
});

/** Every acknowledgement recorded with Validations.of(scope).acknowledge() under `scope`. */
function acknowledgements(scope: IConstruct): { path: string; id: string; reason: string }[] {
  return scope.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          path: c.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe.each(['dev', 'prod'])('cdk-nag AwsSolutions on the %s stage', (stage) => {
  it('synthesizes both stacks with no unacknowledged error or warning', () => {
    // Arrange
    const dir = outdir();
    const { app, stateful, stateless } = buildApp({ stage, skipBundling: true, outdir: dir });

    // Act: synth runs the registered AwsSolutionsChecks plugin and would throw on an error.
    app.synth();

    // Assert: the report lists nothing, warnings included; nothing reached the annotations either.
    const report = JSON.parse(readFileSync(path.join(dir, 'validation-report.json'), 'utf8'));
    const findings = report.pluginReports.flatMap((r: any) =>
      r.violations.map(
        (v: any) => `${v.severity} ${v.ruleName} ${v.violatingConstructs.map((c: any) => c.constructPath)}`,
      ),
    );
    expect(findings).toEqual([]);
    for (const stack of [stateful, stateless] as Stack[]) {
      expect(Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
      expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    }
  });

  it('finds nothing when the pack is run directly over each stack, warnings included', () => {
    const { stateful, stateless } = buildApp({ stage, skipBundling: true, nag: false });
    for (const stack of [stateful, stateless]) {
      const report = new AwsSolutionsChecks().validateScope(stack);
      expect(
        report.violations.map((v) => `${v.severity} ${v.ruleName}`),
        stack.stackName,
      ).toEqual([]);
    }
  });
});

const PUSH_TO_CLOUDWATCH_POLICY =
  'arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs';

describe('cdk-nag acknowledgements', () => {
  it('are exactly the reviewed set, each next to its resource and with a real reason', () => {
    const { app } = buildApp({ stage: 'dev', skipBundling: true, nag: false });
    const acks = acknowledgements(app);

    for (const a of acks) expect(a.reason.length, `${a.path} ${a.id}`).toBeGreaterThanOrEqual(40);
    expect(acks.every((a) => a.path.startsWith('Loyalty-dev-Stateless/'))).toBe(true);
    expect([...new Set(acks.map((a) => `${a.path.replace(/^Loyalty-dev-Stateless\//, '')} ${a.id}`))].sort()).toEqual(
      [
        // X-Ray has no resource-level permissions.
        'Authorizer/Role AwsSolutions-IAM5[Resource::*]',
        'MembersApi/Role AwsSolutions-IAM5[Resource::*]',
        'PurchasesApi/Role AwsSolutions-IAM5[Resource::*]',
        'PurchaseConsumer/Role AwsSolutions-IAM5[Resource::*]',
        'EarningRulesApi/Role AwsSolutions-IAM5[Resource::*]',
        // Rewards and redemptions: four functions (X-Ray), and the two state machine roles:
        // Lambda invoke on the step function's ARN:* (versions), logs delivery + X-Ray on "*".
        'Redemptions/Steps/Role AwsSolutions-IAM5[Resource::*]',
        'Redemptions/RedemptionsApi/Role AwsSolutions-IAM5[Resource::*]',
        'Redemptions/AdminApi/Role AwsSolutions-IAM5[Resource::*]',
        'Redemptions/CouponsApi/Role AwsSolutions-IAM5[Resource::*]',
        'Redemptions/Instant/Role AwsSolutions-IAM5[Resource::*]',
        'Redemptions/Fulfilment/Role AwsSolutions-IAM5[Resource::*]',
        'Redemptions/Instant/Role AwsSolutions-IAM5[Resource::<RedemptionsStepsFunctionD041FF98.Arn>:*]',
        'Redemptions/Fulfilment/Role AwsSolutions-IAM5[Resource::<RedemptionsStepsFunctionD041FF98.Arn>:*]',
        // Tiers and expiry: the admin API and two job functions (X-Ray), and the jobs state machine role:
        // Lambda invoke on each function's ARN:* (versions), logs delivery + X-Ray on "*".
        'ProgramAdminApi/Role AwsSolutions-IAM5[Resource::*]',
        'Jobs/Planner/Role AwsSolutions-IAM5[Resource::*]',
        'Jobs/Worker/Role AwsSolutions-IAM5[Resource::*]',
        'Jobs/StateMachine/Role AwsSolutions-IAM5[Resource::*]',
        'Jobs/StateMachine/Role AwsSolutions-IAM5[Resource::<JobsPlannerFunction4B0C65D4.Arn>:*]',
        'Jobs/StateMachine/Role AwsSolutions-IAM5[Resource::<JobsWorkerFunctionD9840A42.Arn>:*]',
        // Webhooks: three functions (X-Ray), and the delivery state machine role (invoke on ARN:*, logs + X-Ray).
        'Webhooks/Api/Role AwsSolutions-IAM5[Resource::*]',
        'Webhooks/Fanout/Role AwsSolutions-IAM5[Resource::*]',
        'Webhooks/Delivery/Role AwsSolutions-IAM5[Resource::*]',
        'Webhooks/DeliveryRuns/Role AwsSolutions-IAM5[Resource::*]',
        'Webhooks/DeliveryRuns/Role AwsSolutions-IAM5[Resource::<WebhooksDeliveryFunction50BFE58D.Arn>:*]',
        // Shop connectors: three functions (X-Ray), and the public webhook method (no API key: the
        // platform's signature authenticates it).
        'Connectors/Api/Role AwsSolutions-IAM5[Resource::*]',
        'Connectors/Webhooks/Role AwsSolutions-IAM5[Resource::*]',
        'Connectors/Worker/Role AwsSolutions-IAM5[Resource::*]',
        'Http/Api/Default/v1/connectors/{connectorId}/webhooks/POST AwsSolutions-APIG4',
        'Http/Api/Default/v1/connectors/{connectorId}/webhooks/POST AwsSolutions-COG4',
        // The ledger stream: its consumer (X-Ray), and its on-failure queue, a DLQ cdk-nag does not see as one.
        'LedgerStream/Consumer/Role AwsSolutions-IAM5[Resource::*]',
        'LedgerStream/Dlq/Queue AwsSolutions-SQS3',
        'Http/Api AwsSolutions-APIG2',
        'Http/Api AwsSolutions-APIG3',
        'Http/Api AwsSolutions-COG4',
        `Http/Api AwsSolutions-IAM4[Policy::${PUSH_TO_CLOUDWATCH_POLICY}]`,
      ].sort(),
    );
  });

  it('are all still needed: without them the pack reports each one', () => {
    // Arrange: the same app with every acknowledgement ignored.
    const { app } = buildApp({ stage: 'dev', skipBundling: true, nag: false });
    const expected = new Set(acknowledgements(app).map((a) => a.id));
    const pack = new AwsSolutionsChecks();
    (pack as any).isAcknowledged = () => false;

    // Act
    const reported = new Set(pack.validateScope(app).violations.map((v) => v.ruleName));

    // Assert
    expect([...reported].sort()).toEqual([...expected].sort());
  });

  it('do not hide a new violation: an unencrypted, non-TLS queue fails the synth', () => {
    const { app, stateless } = buildApp({ stage: 'dev', skipBundling: true, outdir: outdir() });
    new sqs.Queue(stateless, 'Canary', { encryption: sqs.QueueEncryption.UNENCRYPTED });

    expect(() => app.synth()).toThrow(/AwsSolutions-SQS/);
  });
});
