import type { Clock } from '../../kernel/clock';
import type { DueWork } from '../ports';

export interface StartJobsDeps {
  due: Pick<DueWork, 'initCheckpoint'>;
  clock: Clock;
}

/**
 * The jobs that will find work once a program uses a feature, and the index kinds they must read
 * for it (recorded on their checkpoints). A checkpoint that does not exist yet starts today:
 * entries created from now on are due from now on, so a first run need not look a year back.
 */
export async function startJobs(
  deps: StartJobsDeps,
  jobs: Partial<Record<'activate' | 'expire' | 'review' | 'notify', string[]>>,
): Promise<void> {
  const now = deps.clock.now().toISOString();
  const all = { ...jobs, outbox: ['OUTBOX'] };
  for (const [job, kinds] of Object.entries(all)) {
    await deps.due.initCheckpoint(job, job === 'notify' ? { lastAsOf: now } : { from: now.slice(0, 10) }, kinds);
  }
}
