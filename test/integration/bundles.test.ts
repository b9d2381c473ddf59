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
import { apiEvent, lambdaContext } from '../support/events';
import { createTestTable } from '../support/table';

// Bundles as the CDK app ships them, run in a fresh Node process against DynamoDB Local: what the
// tests of the TypeScript sources cannot show. The authorizer signs its own requests (adapters/aws,
// no SDK); the other functions carry the SDK with its default credential chain replaced by the
// environment, as on Lambda (infra/constructs/bundle-options.ts).
describe('the shipped bundles', () => {
  let t: Awaited<ReturnType<typeof createTestTable>>;
  let dir: string;
  let bundle: string;
  let members: string;
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
    members = join(dir, 'members-api.mjs');
    writeFileSync(members, await bundleFunction('functions/members-api.ts'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t.drop();
  });

  const run = (script: string, env: Record<string, string>) =>
    execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'us-east-1',
        TABLE_NAME: t.tableName,
        DYNAMODB_ENDPOINT: t.endpoint,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        LOG_LEVEL: 'SILENT',
        POWERTOOLS_METRICS_DISABLED: 'true',
        ...env,
      },
      encoding: 'utf8',
    });

  const authorize = (key: string, env: Record<string, string>) => {
    const script =
      `const { handler } = await import(${JSON.stringify(pathToFileURL(bundle).href)}); ` +
      `try { const r = await handler({ headers: { 'X-Api-Key': ${JSON.stringify(key)} }, ` +
      `methodArn: 'arn:aws:execute-api:us-east-1:123456789012:api/local/POST/v1/purchases' }); ` +
      'process.stdout.write(JSON.stringify({ context: r.context })); } ' +
      'catch (e) { process.stdout.write(JSON.stringify({ error: e.name + ": " + e.message })); }';
    return JSON.parse(run(script, env)) as { context?: Record<string, string>; error?: string };
  };
  const lambdaCredentials = { AWS_ACCESS_KEY_ID: 'AKIDLOCAL', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 't' };

  it("the authorizer signs with the environment's credentials, as the Lambda runtime provides them", () => {
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

  it('an SDK bundle reads the table with the credentials of the environment', () => {
    const event = apiEvent({
      method: 'GET',
      resource: '/v1/members/{memberId}',
      pathParameters: { memberId: 'nobody' },
      programId: 'bundled',
      scopes: 'members:read',
    });
    const script =
      `const { handler } = await import(${JSON.stringify(pathToFileURL(members).href)}); ` +
      `const context = { ...${JSON.stringify(lambdaContext)}, getRemainingTimeInMillis: () => 10000 }; ` +
      `const r = await handler(${JSON.stringify(event)}, context); ` +
      'process.stdout.write(JSON.stringify({ status: r.statusCode, type: JSON.parse(r.body).type }));';
    // The member does not exist: a 404 is an answer DynamoDB gave to a signed request.
    expect(JSON.parse(run(script, lambdaCredentials))).toEqual({
      status: 404,
      type: expect.stringMatching(/member-not-found$/),
    });
  });
});
