// The operator's side of per-program throttling: setting a program's limits (CLI only: the admin
// API has no field for them, so a program cannot raise its own) and bringing API Gateway in line
// with them (`--aws`). The limits live on the program item; API Gateway enforces them.
import type { Clock } from '../../kernel/clock';
import { type FieldError, ValidationFailed } from '../../kernel/errors';
import { check } from '../../kernel/validation';
import type { ProgramSettings } from '../domain/program';
import { DEFAULT_THROTTLE, type Quota, type QuotaPeriod, type ThrottleLimits } from '../domain/throttle';
import { ProgramNotFound } from '../errors';
import type { ProgramStore, UsagePlans } from '../ports';
import { ThrottleLimitsInput } from '../schemas';

/** Limits to change; what is left out keeps its value. */
export type ThrottleChanges = Partial<ThrottleLimits>;

/** The limits after `changes`, checked as a whole: a burst below the new rate is refused. */
export function checkThrottle(
  changes: ThrottleChanges | undefined,
  current: ThrottleLimits = DEFAULT_THROTTLE,
): { ok: true; value: ThrottleLimits } | { ok: false; errors: FieldError[] } {
  const given = Object.fromEntries(Object.entries(changes ?? {}).filter(([, v]) => v !== undefined));
  return check(ThrottleLimitsInput, { ...current, ...given });
}

/** The same check for a caller collecting every field's errors: the limits are meaningful only when none were added. */
export function throttleLimitsInto(errors: FieldError[], changes: ThrottleChanges | undefined): ThrottleLimits {
  const limits = checkThrottle(changes);
  if (limits.ok) return limits.value;
  errors.push(...limits.errors);
  return DEFAULT_THROTTLE;
}

/** `--quota 10000/day`, `250000/month`, `none`; the period in any case. */
export function parseQuota(text: string): Quota | null {
  if (text.trim().toLowerCase() === 'none') return null;
  const match = /^\s*(\d{1,10})\s*\/\s*(day|week|month)\s*$/i.exec(text);
  if (!match)
    throw new ValidationFailed([
      { field: 'quota', message: `must be N/day, N/week, N/month or none (received ${JSON.stringify(text)})` },
    ]);
  return { limit: Number(match[1]), period: match[2]!.toUpperCase() as QuotaPeriod };
}

async function programOf(programId: string, programs: ProgramStore): Promise<ProgramSettings> {
  const program = await programs.getProgram(programId);
  if (!program) throw new ProgramNotFound(programId);
  return program;
}

/** New limits for a program, stored on its settings. On AWS they apply once synced (syncUsagePlan). */
export async function setThrottleLimits(
  programId: string,
  changes: ThrottleChanges,
  deps: { programs: ProgramStore; clock: Clock },
): Promise<ProgramSettings> {
  const program = await programOf(programId, deps.programs);
  const limits = checkThrottle(changes, program.throttle ?? DEFAULT_THROTTLE);
  if (!limits.ok) throw new ValidationFailed(limits.errors);
  return deps.programs.updateProgram(programId, { throttle: limits.value }, deps.clock.now().toISOString());
}

/**
 * Brings the program's API Gateway key and usage plan to its stored limits, creating them the
 * first time, and stores the binding the authorizer reads. Safe to run again at any time.
 */
export async function syncUsagePlan(
  programId: string,
  deps: { programs: ProgramStore; usagePlans: UsagePlans; clock: Clock },
): Promise<ProgramSettings> {
  const program = await programOf(programId, deps.programs);
  const binding = await deps.usagePlans.ensure(programId, program.throttle ?? DEFAULT_THROTTLE, program.usagePlan);
  const known = program.usagePlan;
  if (
    known?.apiKeyId === binding.apiKeyId &&
    known.usageKey === binding.usageKey &&
    known.usagePlanId === binding.usagePlanId
  )
    return program;
  return deps.programs.updateProgram(programId, { usagePlan: binding }, deps.clock.now().toISOString());
}
