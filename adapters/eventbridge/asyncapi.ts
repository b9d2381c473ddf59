// The events contract (docs/asyncapi.json), generated from the event modules: what the program's
// bus accepts (INBOUND_EVENTS, consumed by purchase-consumer) and what we publish on it
// (PUBLISHED_EVENTS, source `loyalty.ledger`). Payloads are the EventBridge `detail`.
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import type { EventDefinition } from '../../core/kernel/events';
import { PUBLISHED_EVENTS } from './catalog';
import { INBOUND_EVENTS } from './inbound';
import { EVENT_SOURCE } from './publisher';

type Json = Record<string, unknown>;

const PACKAGE = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const CHANNEL = 'bus';
const SIGV4 = { $ref: '#/components/securitySchemes/sigv4' };

/** AsyncAPI 3's default schema format is a superset of JSON Schema draft 7. */
function payloadSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, {
    target: 'draft-07',
    io,
    unrepresentable: 'any',
  }) as Json;
  return json;
}

/** `Points Earned` -> `PointsEarned`: component keys allow no spaces. */
const key = (detailType: string) => detailType.replace(/[^A-Za-z0-9]/g, '');

const EventMetadata = (version: number) =>
  z.strictObject({
    eventId: z.string(),
    version: z.literal(version),
    programId: z.string(),
    occurredAt: z.string(),
    correlationId: z.string().optional(),
  });

function publishedMessage(def: EventDefinition): Json {
  return {
    name: def.detailType,
    title: def.detailType,
    summary: def.description,
    description:
      `EventBridge \`source\` \`${EVENT_SOURCE}\`, \`detail-type\` \`${def.detailType}\`. The \`detail\` is ` +
      `\`{ metadata, data }\`: \`metadata.eventId\` identifies the change (a retry never duplicates it), ` +
      `\`metadata.version\` is ${def.version}, the version of \`data\`'s schema.`,
    contentType: 'application/json',
    payload: payloadSchema(z.strictObject({ metadata: EventMetadata(def.version), data: def.schema }), 'output'),
  };
}

function inboundMessage(detailType: string, event: (typeof INBOUND_EVENTS)[keyof typeof INBOUND_EVENTS]): Json {
  return {
    name: detailType,
    title: detailType,
    summary: event.description,
    description: `EventBridge \`detail-type\` \`${detailType}\`, any \`source\`; the \`detail\` is the payload.`,
    contentType: 'application/json',
    payload: payloadSchema(event.schema, 'input'),
    examples: [{ name: key(detailType), payload: event.example }],
  };
}

/** The AsyncAPI 3.0 document of the program's event bus. */
export function asyncApiDocument(): Json {
  const inbound = Object.entries(INBOUND_EVENTS).map(
    ([detailType, e]) => [key(detailType), inboundMessage(detailType, e)] as const,
  );
  const published = PUBLISHED_EVENTS.map((def) => [key(def.detailType), publishedMessage(def)] as const);
  const messages = Object.fromEntries([...inbound, ...published]);
  const operation = (action: 'send' | 'receive', id: string, message: Json) => ({
    action,
    channel: { $ref: `#/channels/${CHANNEL}` },
    title: `${action === 'send' ? 'Publish' : 'Accept'} ${String(message.name)}`,
    summary: message.summary,
    messages: [{ $ref: `#/channels/${CHANNEL}/messages/${id}` }],
    security: [SIGV4],
  });
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Loyalty points events',
      version: PACKAGE.version,
      description:
        "The program's EventBridge bus: the events the platform accepts (a purchase, a return, an engagement " +
        `event, each credited exactly once) and those it publishes, with source \`${EVENT_SOURCE}\`, once what ` +
        'they announce is committed.',
      license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
    },
    defaultContentType: 'application/json',
    servers: {
      local: {
        host: '127.0.0.1:4010',
        protocol: 'http',
        description: 'The local stack (`npm start`): its PutEvents endpoint, bus `local-loyalty` (any credentials).',
        security: [SIGV4],
      },
      aws: {
        host: 'events.{region}.amazonaws.com',
        protocol: 'https',
        description: 'Amazon EventBridge in the region of the deployment.',
        variables: { region: { default: 'us-east-1', description: 'The AWS region of the deployment' } },
        security: [SIGV4],
      },
    },
    channels: {
      [CHANNEL]: {
        address: '{stage}-loyalty',
        title: 'The event bus',
        description: 'One bus per stage (the stateful stack output EventBusName).',
        parameters: {
          stage: { default: 'dev', description: 'The stage of the deployment (dev, prod; local for `npm start`)' },
        },
        messages: Object.fromEntries(Object.keys(messages).map((id) => [id, { $ref: `#/components/messages/${id}` }])),
      },
    },
    operations: Object.fromEntries([
      ...inbound.map(([id, m]) => [`receive${id}`, operation('receive', id, m)]),
      ...published.map(([id, m]) => [`send${id}`, operation('send', id, m)]),
    ]),
    components: {
      messages,
      securitySchemes: {
        sigv4: {
          type: 'http',
          scheme: 'AWS4-HMAC-SHA256',
          description:
            'AWS Signature Version 4 (what every AWS SDK sends): an IAM principal allowed events:PutEvents on ' +
            'the bus, or, to receive, a rule on it.',
        },
      },
    },
  };
}
