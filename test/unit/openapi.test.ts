// The generated contracts: they lint clean, they match the deployed API route for route, their
// examples are valid requests, and the committed files are what `npm run openapi` writes now.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { asyncApiDocument } from '../../adapters/eventbridge/asyncapi';
import { PUBLISHED_EVENTS } from '../../adapters/eventbridge/catalog';
import { INBOUND_EVENTS } from '../../adapters/eventbridge/inbound';
import { openApiDocument, routeProblems } from '../../adapters/http/openapi';
import { PROBLEMS } from '../../adapters/http/problems';
import { ROUTE_LIST } from '../../adapters/http/routes';
import { buildApp } from '../../infra/app';
import { contractFiles } from '../../tools/openapi';

type Json = Record<string, any>;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REDOCLY = join(ROOT, 'node_modules/@redocly/cli/bin/cli.js');
const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

let dir: string;
let openapi: Json;
let asyncapi: Json;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'loyalty-openapi-'));
  openapi = openApiDocument();
  asyncapi = asyncApiDocument();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `redocly lint` with the repository's redocly.yaml: its totals and each problem as one line. */
function lint(name: string, doc: unknown) {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(doc, null, 2));
  const run = spawnSync(
    process.execPath,
    [REDOCLY, 'lint', file, '--config', join(ROOT, 'redocly.yaml'), '--format=json'],
    {
      encoding: 'utf8',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      timeout: 60_000,
    },
  );
  let report: {
    totals: { errors: number; warnings: number };
    problems: { ruleId: string; message: string; location?: { pointer: string }[] }[];
  };
  try {
    report = JSON.parse(run.stdout);
  } catch {
    throw new Error(`redocly lint printed no report (exit ${run.status}): ${run.stderr}`);
  }
  return {
    errors: report.totals.errors,
    warnings: report.totals.warnings,
    problems: report.problems.map((p) => `${p.ruleId}: ${p.message} (${p.location?.[0]?.pointer ?? ''})`),
  };
}

const operations = (doc: Json) =>
  Object.entries(doc.paths as Json).flatMap(([path, item]) =>
    Object.entries(item as Json)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op: op as Json })),
  );

describe('the OpenAPI document', () => {
  it('lints clean with redocly (recommended rules): no error, no warning', () => {
    expect(lint('openapi.json', openapi)).toEqual({ errors: 0, warnings: 0, problems: [] });
  });

  it('is linted for real: an example that breaks its schema is an error', () => {
    const broken = structuredClone(openapi);
    broken.paths['/v1/purchases'].post.requestBody.content['application/json'].example.amount = '25.99';
    const report = lint('broken.json', broken);
    expect(report.errors).toBe(1);
    expect(report.problems[0]).toMatch(/^no-invalid-media-type-examples: .*amount/);
  });

  it('has an operation for every route of the synthesized API, and a route for every operation', () => {
    const { stateless } = buildApp({ stage: 'dev', skipBundling: true, nag: false });
    const resources = Object.values(Template.fromStack(stateless).toJSON().Resources as Record<string, Json>);
    const deployed = resources
      .filter((r) => r.Type === 'AWS::ApiGateway::Method')
      .map((r) => `${r.Metadata['loyalty:route'].method} ${r.Metadata['loyalty:route'].path}`);
    expect(deployed.length).toBe(ROUTE_LIST.length);
    expect(
      operations(openapi)
        .map((o) => o.key)
        .sort(),
    ).toEqual(deployed.sort());
  });

  it('names each operation after its registry key and lists the problems its route can answer with', () => {
    for (const route of ROUTE_LIST) {
      const op = openapi.paths[route.path][route.method.toLowerCase()];
      expect(op.operationId).toBe(route.operationId);
      const statuses = [...new Set(routeProblems(route).map((slug) => String(PROBLEMS[slug].status)))];
      const problemStatuses = Object.keys(op.responses).filter(
        (s) => op.responses[s].content?.['application/problem+json'],
      );
      expect(problemStatuses.sort(), route.operationId).toEqual(statuses.sort());
      for (const slug of routeProblems(route)) {
        expect(op.responses[PROBLEMS[slug].status].description, `${route.operationId} ${slug}`).toContain(`#${slug})`);
      }
    }
  });

  it('gives every success response with a body a response schema', () => {
    const missing = ROUTE_LIST.flatMap((r) =>
      Object.entries(r.responses)
        .filter(([status, spec]) => status !== '204' && !spec.schema)
        .map(([status]) => `${r.operationId} ${status}`),
    );
    expect(missing).toEqual([]);
  });

  it("has valid request examples: the route's own schema parses each, and so does the document's JSON Schema", () => {
    const routes = ROUTE_LIST.filter((r) => r.example !== undefined);
    expect(routes.length).toBeGreaterThan(10);
    for (const route of routes) {
      const schema = route.body ?? route.bodyDoc;
      expect(schema, `${route.operationId} has an example but no body schema`).toBeDefined();
      const parsed = schema!.safeParse(route.example);
      expect(parsed.error?.issues ?? [], `${route.operationId}: the registry schema`).toEqual([]);
      const media = openapi.paths[route.path][route.method.toLowerCase()].requestBody.content['application/json'];
      expect(media.example).toEqual(route.example);
      const fromDocument = z.fromJSONSchema(media.schema).safeParse(route.example);
      expect(fromDocument.error?.issues ?? [], `${route.operationId}: the document's schema`).toEqual([]);
    }
  });

  it('describes a request body as its client sends it: a field the strict schema does not know is refused', () => {
    const media = openapi.paths['/v1/purchases'].post.requestBody.content['application/json'];
    expect(z.fromJSONSchema(media.schema).safeParse({ ...media.example, points: 1000 }).success).toBe(false);
  });
});

describe('the AsyncAPI document', () => {
  it('lints clean with redocly: no error, no warning', () => {
    expect(lint('asyncapi.json', asyncapi)).toEqual({ errors: 0, warnings: 0, problems: [] });
  });

  it('receives every event the bus accepts, with an example its payload schema accepts', () => {
    for (const [detailType, event] of Object.entries(INBOUND_EVENTS)) {
      const id = detailType.replace(/ /g, '');
      expect(asyncapi.operations[`receive${id}`]?.action).toBe('receive');
      const message = asyncapi.components.messages[id];
      expect(message.name).toBe(detailType);
      expect(event.schema.safeParse(message.examples[0].payload).success).toBe(true);
      expect(z.fromJSONSchema(message.payload).safeParse(message.examples[0].payload).error?.issues ?? []).toEqual([]);
    }
  });

  it('sends every published event as `{ metadata, data }` of its version', () => {
    expect(PUBLISHED_EVENTS.length).toBeGreaterThanOrEqual(11);
    for (const def of PUBLISHED_EVENTS) {
      const id = def.detailType.replace(/ /g, '');
      expect(asyncapi.operations[`send${id}`]?.action).toBe('send');
      const { payload } = asyncapi.components.messages[id];
      expect(payload.required).toEqual(['metadata', 'data']);
      expect(payload.properties.metadata.properties.version.const).toBe(def.version);
    }
  });
});

describe('the committed contracts', () => {
  it('are what `npm run openapi` writes now (run it after changing a route, a problem or an event)', () => {
    for (const [path, content] of Object.entries(contractFiles())) {
      expect(readFileSync(join(ROOT, path), 'utf8'), `${path} is stale: run npm run openapi`).toBe(content);
    }
  });

  it('come out the same on every run', () => {
    expect(JSON.stringify(openApiDocument())).toBe(JSON.stringify(openapi));
    expect(JSON.stringify(asyncApiDocument())).toBe(JSON.stringify(asyncapi));
  });
});
