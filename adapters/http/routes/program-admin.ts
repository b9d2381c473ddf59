import { ExpiryPolicyInput, ExpiryPolicyResult } from '../../../core/expiry/schemas';
import { ProgramSettingsInput, ProgramView } from '../../../core/programs/schemas';
import { TierSetInput, TierSetResult } from '../../../core/tiers/schemas';
import { defineRoutes } from '../route';

export const programAdminRoutes = defineRoutes({
  getProgram: {
    method: 'GET',
    path: '/v1/admin/program',
    scope: 'admin',
    group: 'program-admin-api',
    summary: "The program's settings",
    responses: { 200: { description: 'The settings', schema: ProgramView } },
    problems: ['program-not-found'],
  },
  patchProgram: {
    method: 'PATCH',
    path: '/v1/admin/program',
    scope: 'admin',
    group: 'program-admin-api',
    summary:
      'Change settings: name, time zone, flat rate, pending days, lateness, which lines earn, the amount tolerance, ' +
      'the bounds per purchase, return policy, auto-enrolment',
    body: ProgramSettingsInput,
    responses: { 200: { description: 'The settings after the change', schema: ProgramView } },
    problems: ['program-not-found'],
    example: { pendingDays: 14, returnPolicy: 'negative-balance' },
  },
  getTiers: {
    method: 'GET',
    path: '/v1/admin/tiers',
    scope: 'admin',
    group: 'program-admin-api',
    summary: 'The tier set',
    responses: { 200: { description: 'The tier set', schema: TierSetResult } },
    problems: ['tiers-not-configured', 'program-not-found'],
  },
  putTiers: {
    method: 'PUT',
    path: '/v1/admin/tiers',
    scope: 'admin',
    group: 'program-admin-api',
    summary: 'Replace the tier set',
    body: TierSetInput,
    responses: { 200: { description: 'The tier set as stored', schema: TierSetResult } },
    problems: ['program-not-found'],
    example: {
      metric: 'spend',
      window: { kind: 'calendar', period: 'year' },
      review: { graceUntilEndOfNextPeriod: true, dropMode: 'one-tier' },
      tiers: [
        { id: 'member', name: 'Member', threshold: 0 },
        { id: 'silver', name: 'Silver', threshold: 50000, multiplier: 1.25 },
        { id: 'gold', name: 'Gold', threshold: 150000, multiplier: 1.5, attributes: { freeShipping: true } },
      ],
    },
  },
  deleteTiers: {
    method: 'DELETE',
    path: '/v1/admin/tiers',
    scope: 'admin',
    group: 'program-admin-api',
    summary: 'Turn tiers off (members keep their last tier on record)',
    responses: { 204: { description: 'Tiers are off' } },
    problems: ['program-not-found'],
  },
  getExpiryPolicy: {
    method: 'GET',
    path: '/v1/admin/expiry-policy',
    scope: 'admin',
    group: 'program-admin-api',
    summary: 'The expiry policy',
    responses: { 200: { description: 'The expiry policy', schema: ExpiryPolicyResult } },
    problems: ['program-not-found'],
  },
  putExpiryPolicy: {
    method: 'PUT',
    path: '/v1/admin/expiry-policy',
    scope: 'admin',
    group: 'program-admin-api',
    summary: 'Replace the expiry policy (applies to points earned from now on)',
    body: ExpiryPolicyInput,
    responses: { 200: { description: 'The expiry policy as stored', schema: ExpiryPolicyResult } },
    problems: ['program-not-found'],
    example: { kind: 'after-earning', months: 12, roundUpTo: 'month' },
  },
});
