// zod building blocks shared by every context's input schemas (the HTTP API and the bus consumers).
import * as z from 'zod';
import { isValidTimeZone } from './calendar';
import { isKnownCurrency } from './currency';
import { CLIENT_ID_PATTERN, CLIENT_ID_RULE } from './ids';

export const ClientId = z.string().regex(CLIENT_ID_PATTERN, `must be ${CLIENT_ID_RULE}`);

/** 10^12 minor units: far above any real basket, far below 2^53. */
export const MAX_MINOR = 1_000_000_000_000;

export const Currency = z
  .string()
  .regex(/^[A-Z]{3}$/, { message: 'must be an ISO 4217 code such as USD', abort: true })
  .refine(isKnownCurrency, 'is not an ISO 4217 currency');

export const Timestamp = z.iso.datetime({
  offset: true,
  message: 'must be an ISO-8601 date-time with a time zone, e.g. 2026-11-23T10:00:00Z',
});

/**
 * A free-form number the table stores and reads back as the same JavaScript number: within the
 * safe integers, and not so close to zero that DynamoDB (magnitudes from 1e-130) cannot hold it.
 */
export const FreeNumber = z
  .number()
  .finite()
  .min(-Number.MAX_SAFE_INTEGER, { error: `must be at least -${Number.MAX_SAFE_INTEGER}` })
  .max(Number.MAX_SAFE_INTEGER, { error: `must be at most ${Number.MAX_SAFE_INTEGER}` })
  .refine((n) => n === 0 || Math.abs(n) >= 1e-100, { error: 'must be 0 or at least 1e-100 in magnitude' });

/** Free-form attributes of members and events: string, number or boolean values. */
export const AttributeValue = z.union([z.string().max(500), FreeNumber, z.boolean()]);

export const AttributeName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, 'attribute names are 1-64 letters, digits, _ . -');

/** Up to 50 named attributes (members, tiers). */
export const Attributes = z
  .record(AttributeName, AttributeValue)
  .refine((r) => Object.keys(r).length <= 50, 'at most 50 attributes');

/** Admin input for a program time zone: an IANA name such as "America/New_York". */
export const TimeZoneInput = z
  .string({ error: 'timeZone must be a string' })
  .refine(isValidTimeZone, { message: 'timeZone must be an IANA time zone name such as "America/New_York"' });

export const PageQuery = z.strictObject({
  limit: z.coerce.number().int('must be a whole number').min(1).max(100).default(20).describe('Items per page, 1-100'),
  cursor: z.string().max(2048).optional().describe('The `nextCursor` of the previous page; omit for the first page'),
});
