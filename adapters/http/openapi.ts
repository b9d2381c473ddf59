// The API contract, generated from the route and problem registries: the OpenAPI 3.1 document
// (docs/openapi.json) and the problem types page (docs/problems.md). Requests are described as
// their schemas' input, responses as their output; response schemas carry an id and become
// components. `npm run openapi` writes both files; the local stack serves them.
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { RedemptionView } from '../../core/rewards/schemas';
import { PROBLEM_BASE, PROBLEMS, type ProblemSlug, problemType } from './problems';
import { COMMON_PROBLEMS, pathParams, type RouteGroup, type RouteSpec } from './route';
import { ROUTE_LIST } from './routes';

type Json = Record<string, unknown>;
type Route = (typeof ROUTE_LIST)[number];

const PACKAGE = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Where each problem type is explained: its slug is an anchor of the problems page. */
const PROBLEMS_PAGE = 'docs/problems.md';
const problemLink = (slug: ProblemSlug) => `[\`${slug}\`](${PROBLEMS_PAGE}#${slug})`;

const SLUGS = Object.keys(PROBLEMS) as ProblemSlug[];
const retryAfter = (slug: ProblemSlug) => (PROBLEMS[slug] as { retryAfterSeconds?: number }).retryAfterSeconds;

/** RFC 9457 problem details, as the handlers and API Gateway's gateway responses answer. */
export const ProblemDocument = z
  .looseObject({
    type: z
      .enum(SLUGS.map(problemType) as [string, ...string[]])
      .describe(`\`${PROBLEM_BASE}<slug>\`: each slug is explained at ${PROBLEMS_PAGE}#<slug>`),
    title: z.string().describe("The type's title: the same for every problem of the type"),
    status: z
      .int()
      .min(400)
      .max(599)
      .optional()
      .describe("The HTTP status (absent on API Gateway's catch-all answers)"),
    detail: z.string().optional().describe('What happened to this request'),
    instance: z.string().optional().describe('The request id: quote it when you report a problem'),
    errors: z
      .array(z.strictObject({ field: z.string(), message: z.string() }))
      .optional()
      .describe(
        'validation-failed and unprocessable: each bad field ("items.2.quantity"), what was expected and what came',
      ),
    redemptionId: z.string().optional().describe('A failed or unfinished redemption: its id'),
    redemption: RedemptionView.optional().describe('A failed or unfinished redemption: where it stands'),
  })
  .meta({ id: 'Problem', description: 'An RFC 9457 problem document (application/problem+json)' });

const TAGS: Record<RouteGroup, { name: string; description: string }> = {
  'members-api': {
    name: 'Members',
    description: 'Enrol and update members; read their balances, tier progress, upcoming expiries and transactions.',
  },
  'purchases-api': {
    name: 'Purchases and events',
    description: 'Purchases, returns and engagement events: points by the earning rules, each exactly once per id.',
  },
  'earning-rules-api': {
    name: 'Earning rules',
    description: "The program's earning rules, every change a new version; simulate and backtest proposed rule sets.",
  },
  'program-admin-api': {
    name: 'Program',
    description: "The program's settings, its tier set and its expiry policy.",
  },
  'rewards-admin-api': {
    name: 'Rewards catalog',
    description: 'The rewards members can redeem, their stock, and what the donation rewards collected for each cause.',
  },
  'redemptions-api': {
    name: 'Redemptions',
    description: 'What a member can redeem, redeeming with an Idempotency-Key, cancelling, and partner fulfilment.',
  },
  'coupons-api': {
    name: 'Coupons',
    description: 'Partners check a coupon code at the till and mark it used, once.',
  },
  'webhooks-api': {
    name: 'Webhooks',
    description:
      'Outbound webhooks: endpoints that receive our events, signed per Standard Webhooks, with retries, ' +
      'the attempts of each delivery and redelivery (docs/integrations/webhooks.md).',
  },
  'connectors-api': {
    name: 'Shop connectors',
    description:
      'Connect a Shopify, WooCommerce or commercetools shop: its webhook URL and secret, the mapping options, ' +
      'and the deliveries that could not be credited (docs/integrations).',
  },
  'connectors-webhooks': {
    name: 'Shop webhooks',
    description: "Where the platforms post their webhooks: no API key, the platform's signature authenticates.",
  },
};

const DESCRIPTION = `The loyalty-points API (v1): members and their points, purchases, returns and engagement events,
earning rules, tiers, expiry, rewards and redemptions.

Every request carries an \`x-api-key\` header: the key decides the program, and its scopes decide what it may
do (\`members:read\`, \`members:write\`, \`purchases:write\`, \`admin\`; \`admin\` implies every scope).

Every error is an RFC 9457 problem document (\`application/problem+json\`) whose \`type\` is
\`${PROBLEM_BASE}<slug>\`; [${PROBLEMS_PAGE}](${PROBLEMS_PAGE}) explains each slug, including those API Gateway
answers before any handler runs (an unknown route, throttling). A rejected request writes nothing.

Money is integer minor units plus an ISO 4217 code (\`2599\` + \`USD\` is $25.99); points are integers; times are
ISO-8601 with a zone. Lists are paged with \`limit\` and the \`nextCursor\` of the previous page.`;

// zod's JSON Schema carries a regex beside a format it checks and the safe-integer range of
// every integer: both are implied by the format and by `integer`, and only crowd the reference.
const IMPLIED_PATTERN = new Set(['date-time', 'date', 'email']);
function tidy({ jsonSchema }: { jsonSchema: Json }): void {
  if (typeof jsonSchema.format === 'string' && IMPLIED_PATTERN.has(jsonSchema.format)) delete jsonSchema.pattern;
  if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
  if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
}

const CONVERSION = { target: 'draft-2020-12', unrepresentable: 'any', override: tidy } as const;
const COMPONENT = '#/components/schemas/';

/** A request part as a client sends it (before defaults, coercion and transforms). */
function requestSchema(schema: z.ZodType): Json {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { ...CONVERSION, io: 'input' }) as Json;
  // Output schemas carry ids and live in components; a request inlines everything it has.
  if (json.$defs) {
    throw new Error(`a request schema contains a schema with an id: ${Object.keys(json.$defs as Json).join(', ')}`);
  }
  return json;
}

/** Every schema with an id, as its output, referring to the others by component. */
function componentSchemas(): Record<string, Json> {
  const { schemas } = z.toJSONSchema(z.globalRegistry, {
    ...CONVERSION,
    io: 'output',
    uri: (id) => COMPONENT + id,
  });
  return Object.fromEntries(
    Object.entries(schemas).map(([id, s]) => {
      const { $schema: _dialect, $id: _id, ...json } = s as Json;
      return [id, json];
    }),
  );
}

function schemaId(schema: z.ZodType, where: string): string {
  const id = z.globalRegistry.get(schema)?.id;
  if (typeof id !== 'string') throw new Error(`${where}: a response schema needs an id (.meta({ id }))`);
  return id;
}

const ref = (id: string) => ({ $ref: COMPONENT + id });

/** Header names as clients write them ("Idempotency-Key"). */
const canonical = (header: string) =>
  header
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('-');

function parameters(route: Route): Json[] {
  const named = pathParams(route.path);
  const declared = Object.keys((route.params as { shape?: Json } | undefined)?.shape ?? {});
  if (named.join() !== declared.join()) {
    throw new Error(
      `${route.operationId}: path ${route.path} names {${named.join(', ')}}, params declare ${declared.join(', ')}`,
    );
  }
  const parts: [string, RouteSpec['params']][] = [
    ['path', route.params],
    ['query', route.query],
    ['header', route.headers],
  ];
  return [
    ...parts.flatMap(([where, schema]) => {
      if (!schema) return [];
      const json = requestSchema(schema);
      const required = new Set((json.required as string[] | undefined) ?? []);
      return Object.entries(json.properties as Record<string, Json>).map(([name, { description, ...property }]) => ({
        name: where === 'header' ? canonical(name) : name,
        in: where,
        required: where === 'path' || required.has(name),
        ...(description ? { description } : {}),
        schema: property,
      }));
    }),
    { $ref: '#/components/parameters/CorrelationId' },
  ];
}

function requestBody(route: Route): Json | undefined {
  const schema = route.body ?? route.bodyDoc;
  if (!schema) return undefined;
  return {
    // A route whose body may be empty treats a missing one as `{}`.
    required: !schema.safeParse({}).success,
    content: {
      'application/json': {
        schema: requestSchema(schema),
        ...(route.example !== undefined ? { example: route.example } : {}),
      },
    },
  };
}

function successResponses(route: Route): Record<string, Json> {
  return Object.fromEntries(
    Object.entries(route.responses).map(([status, r]) => [
      status,
      {
        description: r.description,
        headers: {
          'X-Correlation-Id': { $ref: '#/components/headers/CorrelationId' },
          ...Object.fromEntries(
            Object.entries(r.headers ?? {}).map(([name, description]) => [
              canonical(name),
              { description, schema: { type: 'string' } },
            ]),
          ),
        },
        ...(r.schema
          ? { content: { 'application/json': { schema: ref(schemaId(r.schema, `${route.operationId} ${status}`)) } } }
          : {}),
      },
    ]),
  );
}

/** Every problem the route can answer with: its own and those every route can. */
export function routeProblems(route: Pick<RouteSpec, 'problems'>): ProblemSlug[] {
  const listed = new Set<ProblemSlug>([...COMMON_PROBLEMS, ...route.problems]);
  return SLUGS.filter((slug) => listed.has(slug));
}

/** One response per status: the problem types it can be, and Retry-After when one of them sends it. */
function problemResponse(slugs: ProblemSlug[]): Json {
  const retrying = slugs.filter((s) => retryAfter(s) !== undefined).map((s) => `\`${s}\``);
  const retryAfterHeader = {
    description: `Seconds to wait before retrying (with ${retrying.join(', ')})`,
    schema: { type: 'integer' },
  };
  return {
    description: ['A problem of type:', '', ...slugs.map((s) => `- ${problemLink(s)}: ${PROBLEMS[s].title}`)].join(
      '\n',
    ),
    ...(retrying.length ? { headers: { 'Retry-After': retryAfterHeader } } : {}),
    content: { 'application/problem+json': { schema: ref('Problem') } },
  };
}

function problemResponses(route: Route): Record<string, Json> {
  const byStatus = new Map<number, ProblemSlug[]>();
  for (const slug of routeProblems(route)) {
    const { status } = PROBLEMS[slug];
    byStatus.set(status, [...(byStatus.get(status) ?? []), slug]);
  }
  return Object.fromEntries(
    [...byStatus].sort(([a], [b]) => a - b).map(([status, slugs]) => [String(status), problemResponse(slugs)]),
  );
}

function scopeNote(route: Route): string {
  if (route.auth === 'signature') return "No API key: the platform's signature authenticates the request.";
  return route.scope === 'admin'
    ? 'Needs an `admin` key.'
    : `Needs the \`${route.scope}\` scope (an \`admin\` key has every scope).`;
}

function operation(route: Route): Json {
  const body = requestBody(route);
  return {
    tags: [TAGS[route.group].name],
    summary: route.summary,
    description: [route.description, scopeNote(route)].filter(Boolean).join('\n\n'),
    operationId: route.operationId,
    parameters: parameters(route),
    ...(body ? { requestBody: body } : {}),
    responses: { ...successResponses(route), ...problemResponses(route) },
    security: route.auth === 'signature' ? [] : [{ apiKey: [] }],
  };
}

/** The $refs reachable from `root`, following component schemas. */
function reachable(root: unknown, schemas: Record<string, Json>): Set<string> {
  const seen = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n);
      return;
    }
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith(COMPONENT)) {
        const id = value.slice(COMPONENT.length);
        if (!seen.has(id)) {
          seen.add(id);
          walk(schemas[id]);
        }
      } else walk(value);
    }
  };
  walk(root);
  return seen;
}

/** The OpenAPI 3.1 document of every route of the registry. */
export function openApiDocument(): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of ROUTE_LIST) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation(route) };
  }
  const all = componentSchemas();
  const used = [...reachable(paths, all)].sort();
  const groups = [...new Set(ROUTE_LIST.map((r) => r.group))];
  return {
    openapi: '3.1.0',
    info: {
      title: 'Loyalty points API',
      version: PACKAGE.version,
      description: DESCRIPTION,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [
      {
        url: 'http://127.0.0.1:3000',
        description:
          'The local stack (npm start). A deployment answers on its own API Gateway URL (the stack output ApiUrl).',
      },
    ],
    tags: groups.map((g) => TAGS[g]),
    paths,
    components: {
      securitySchemes: {
        apiKey: {
          type: 'apiKey',
          in: 'header',
          name: 'x-api-key',
          description: 'An API key of the program; it carries scopes.',
        },
      },
      parameters: {
        CorrelationId: {
          name: 'X-Correlation-Id',
          in: 'header',
          required: false,
          description:
            'Logged with every line of the request and returned in the response (the request id when absent).',
          schema: { type: 'string' },
        },
      },
      headers: {
        CorrelationId: {
          description: "The request's X-Correlation-Id, or its request id when it sent none.",
          schema: { type: 'string' },
        },
      },
      schemas: Object.fromEntries(used.map((id) => [id, all[id]])),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// docs/problems.md

export interface ProblemEntry {
  slug: ProblemSlug;
  status: number;
  title: string;
  when: string;
  retryAfterSeconds?: number;
  /** `METHOD path` of each operation that can answer with it; every operation for the common ones. */
  operations: string[] | 'all';
  /** API Gateway answers with it, whatever the operation. */
  gateway: boolean;
}

/** Each problem type with the operations that answer with it. `gateway`: the types of API Gateway's own answers. */
export function problemCatalog(gateway: readonly ProblemSlug[]): ProblemEntry[] {
  return SLUGS.map((slug) => {
    const { status, title, when } = PROBLEMS[slug];
    const seconds = retryAfter(slug);
    return {
      slug,
      status,
      title,
      when,
      ...(seconds !== undefined ? { retryAfterSeconds: seconds } : {}),
      operations: COMMON_PROBLEMS.includes(slug)
        ? 'all'
        : ROUTE_LIST.filter((r) => r.problems.includes(slug)).map((r) => `${r.method} ${r.path}`),
      gateway: gateway.includes(slug),
    };
  });
}

function answeredBy(p: ProblemEntry): string[] {
  const ops = p.operations === 'all' ? ['- Every operation.'] : p.operations.map((op) => `- \`${op}\``);
  const gateway = p.gateway ? ['- API Gateway, before any handler runs.'] : [];
  if (ops.length || gateway.length) return [...ops, ...gateway];
  return ['- No API operation: it names an outcome of the operator CLI (`npm run loyalty`) or of an internal step.'];
}

/** The problems page: an intro, then one section per type, its slug as heading (and anchor). */
/** Prose as lines of at most `width` characters, broken between words. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, line] : lines;
}

export function problemsMarkdown(catalog: readonly ProblemEntry[]): string {
  const intro = [
    '<!-- Generated by `npm run openapi` from adapters/http/problems.ts and the route registry: do not edit. -->',
    '',
    '# Problem types',
    '',
    'Every error the API answers with is an RFC 9457 problem document (`application/problem+json`):',
    '`{ type, title, status, detail, instance, ...extensions }`. Its `type` is the base',
    `\`${PROBLEM_BASE}\` followed by a slug: \`${PROBLEM_BASE}<slug>\`.`,
    '',
    'Each slug is a heading of this page, and so an anchor: the type',
    `\`${PROBLEM_BASE}<slug>\` is explained at \`${PROBLEMS_PAGE}#<slug>\`. The local stack serves this`,
    'page at `/problems`, and `/problems/<slug>` leads to one type. Slugs are stable and part of the API.',
    '',
    '`instance` is the request id. Validation problems carry `errors: [{ field, message }]`, one entry per bad',
    'field. A type with a Retry-After is answered with that header: the seconds to wait before retrying.',
  ];
  const sections = catalog.flatMap((p) => [
    '',
    `## ${p.slug}`,
    '',
    `- Status: ${p.status}`,
    `- Title: ${p.title}`,
    `- Type: \`${problemType(p.slug)}\``,
    ...(p.retryAfterSeconds !== undefined ? [`- Retry-After: ${p.retryAfterSeconds} (seconds)`] : []),
    '',
    ...wrap(p.when, 100),
    '',
    'Answered by:',
    '',
    ...answeredBy(p),
  ]);
  return [...intro, ...sections, ''].join('\n');
}
