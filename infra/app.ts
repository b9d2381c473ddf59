import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stageConfig } from './config';
import { REPO_ROOT } from './constructs/loyalty-function';
import { StatefulStack } from './stateful-stack';
import { StatelessStack } from './stateless-stack';

export interface BuildAppOptions {
  /** dev | prod | local. Defaults to the `stage` context value (`cdk synth -c stage=prod`), then `dev`. */
  readonly stage?: string;
  /** Skip esbuild: the template is complete but the function assets are not built. For tests. */
  readonly skipBundling?: boolean;
  /** Cloud assembly directory. Defaults to the CLI's (cdk.out) or, outside the CLI, a temp dir. */
  readonly outdir?: string;
  readonly env?: { readonly account?: string; readonly region?: string };
  /** Run cdk-nag AwsSolutionsChecks on synth (unacknowledged errors fail the synth). @default true */
  readonly nag?: boolean;
}

export interface LoyaltyApp {
  readonly app: App;
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

/**
 * The whole application: data in one stack, compute in the other. Used by bin/app.ts, the tests
 * and the local runner, so all three synthesize the same templates with the same feature flags.
 */
export function buildApp(opts: BuildAppOptions = {}): LoyaltyApp {
  const app = new App({
    outdir: opts.outdir,
    context: {
      // cdk.json's flags also apply when the app is built outside the CLI (tests, local runner).
      ...cdkJsonContext(),
      ...(opts.stage ? { stage: opts.stage } : {}),
      ...(opts.skipBundling ? { 'aws:cdk:bundling-stacks': [] } : {}),
    },
  });
  const config = stageConfig(opts.stage ?? app.node.tryGetContext('stage') ?? 'dev');
  const env = opts.env;

  const stateful = new StatefulStack(app, `Loyalty-${config.stage}-Stateful`, {
    config,
    env,
    description: `Loyalty points (${config.stage}): ledger table and event bus`,
  });
  const alarmEmail = app.node.tryGetContext('alarmEmail') as string | undefined;
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) {
    throw new Error(`-c alarmEmail=${alarmEmail} is not an email address`);
  }
  const stateless = new StatelessStack(app, `Loyalty-${config.stage}-Stateless`, {
    alarmEmail,
    config,
    env,
    table: stateful.table,
    bus: stateful.bus,
    secretsKey: stateful.secretsKey,
    description: `Loyalty points (${config.stage}): API, functions and event rules`,
  });

  if (opts.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stateful, stateless };
}

function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}
