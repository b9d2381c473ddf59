import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoProgramStore } from '../../adapters/dynamodb/program-store';
import { bundleFunction } from '../../bench/bundles';
import { systemClock } from '../../core/kernel/clock';
import { createProgram } from '../../core/programs/use-cases/manage-programs';
import { createTestTable } from '../support/table';

// The bundle as the CDK app ships it (the AWS SDK's default credential chain replaced by the
// environment, as on Lambda), run in a fresh Node process against DynamoDB Local: what the tests of
// the TypeScript sources cannot show.
describe('the shipped authorizer bundle', () => {
  let t: Awaited<ReturnType<typeof createTestTable>>;
  let dir: string;
  let bundle: string;
  let adminKey: string;

  beforeAll(async () => {
    t = await createTestTable('bundle');
    adminKey = (
      await createProgram(
        { programId: 'bundled' },
        { programs: dynamoProgramStore(t.ddb, t.tableName), clock: systemClock },
      )
    ).adminKey;
    dir = mkdtempSync(join(tmpdir(), 'loyalty-bundle-'));
    bundle = join(dir, 'authorizer.mjs');
    writeFileSync(bundle, await bundleFunction('functions/authorizer.ts'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t.drop();
  });

  const authorize = (key: string, env: Record<string, string>) => {
    const script =
      `const { handler } = await import(${JSON.stringify(pathToFileURL(bundle).href)}); ` +
      `try { const r = await handler({ headers: { 'X-Api-Key': ${JSON.stringify(key)} }, ` +
      `methodArn: 'arn:aws:execute-api:us-east-1:123456789012:api/local/POST/v1/purchases' }); ` +
      'process.stdout.write(JSON.stringify({ context: r.context })); } ' +
      'catch (e) { process.stdout.write(JSON.stringify({ error: e.name + ": " + e.message })); }';
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'us-east-1',
        TABLE_NAME: t.tableName,
        DYNAMODB_ENDPOINT: t.endpoint,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        LOG_LEVEL: 'ERROR',
        ...env,
      },
      encoding: 'utf8',
    });
    return JSON.parse(out) as { context?: Record<string, string>; error?: string };
  };
  const lambdaCredentials = { AWS_ACCESS_KEY_ID: 'AKIDLOCAL', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 't' };

  it("signs with the environment's credentials, as the Lambda runtime provides them", () => {
    expect(authorize(adminKey, lambdaCredentials)).toEqual({
      context: expect.objectContaining({ programId: 'bundled', scopes: 'admin' }),
    });
    expect(authorize('lk_unknown', lambdaCredentials)).toEqual({ error: 'Error: Unauthorized' });
  });

  it('without them it fails plainly, naming the variable, instead of probing files and endpoints', () => {
    expect(authorize(adminKey, { AWS_ACCESS_KEY_ID: 'AKIDLOCAL' })).toEqual({
      error: 'CredentialsProviderError: No AWS credentials in the environment (AWS_ACCESS_KEY_ID)',
    });
  });
});
