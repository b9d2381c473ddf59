import * as z from 'zod';
import { PageQuery, Timestamp } from '../kernel/schemas';

export const AuditLogQuery = z.strictObject({
  from: z.string().max(40).optional().describe('Entries at or after this instant (ISO-8601)'),
  to: z.string().max(40).optional().describe('Entries at or before this instant (ISO-8601)'),
  actor: z
    .string()
    .regex(/^[A-Za-z0-9]{1,64}$/, 'must be a key id')
    .optional()
    .describe('Only the entries of this key id'),
  ...PageQuery.shape,
});

export const AuditEntryView = z
  .strictObject({
    auditId: z.string(),
    at: Timestamp,
    actor: z.strictObject({
      keyId: z.string(),
      label: z.string().nullable().describe("The key's label"),
      role: z.enum(['viewer', 'support', 'manager', 'admin']).nullable(),
    }),
    operation: z.string().describe('The operation id (adjustPoints, putTiers, createKey, eraseMember, ...)'),
    target: z.record(z.string(), z.string()).describe("What it acted on: the path's ids"),
    before: z.unknown().describe('The document before the change (null for a creation); never a secret'),
    after: z.unknown().describe('The document after it (null for a deletion); never a secret'),
    requestId: z.string().optional(),
    correlationId: z.string().optional(),
  })
  .meta({ id: 'AuditEntryView', description: 'One admin or staff action' });

export const AuditLogPage = z
  .strictObject({ items: z.array(AuditEntryView), nextCursor: z.string().nullable() })
  .meta({ id: 'AuditLogPage', description: 'Audit entries, newest first' });
