// Registering a program's bus producers (operator CLI), and the check the bus consumer makes
// before it credits anything.
import type { Clock } from '../../kernel/clock';
import { ValidationFailed } from '../../kernel/errors';
import { ACCOUNT_PATTERN, isRegisteredProducer, type Producer, SOURCE_PATTERN, SOURCE_RULE } from '../domain/producers';
import { ProgramNotFound, UnregisteredProducer } from '../errors';
import type { ProducerStore, ProgramStore } from '../ports';

export interface ProducerDeps {
  programs: Pick<ProgramStore, 'getProgram'>;
  producers: ProducerStore;
  clock: Clock;
}

function validate(source: string, account: string | undefined): { source: string; account: string | null } {
  const errors = [
    ...(SOURCE_PATTERN.test(source) ? [] : [{ field: 'source', message: `must be ${SOURCE_RULE}` }]),
    ...(account === undefined || ACCOUNT_PATTERN.test(account)
      ? []
      : [{ field: 'account', message: 'must be a 12-digit AWS account id' }]),
  ];
  if (errors.length) throw new ValidationFailed(errors);
  return { source, account: account ?? null };
}

async function existing(programId: string, deps: Pick<ProducerDeps, 'programs'>): Promise<void> {
  if (!(await deps.programs.getProgram(programId))) throw new ProgramNotFound(programId);
}

export async function addProducer(
  programId: string,
  input: { source: string; account?: string },
  deps: ProducerDeps,
): Promise<{ producer: Producer; added: boolean }> {
  const { source, account } = validate(input.source, input.account);
  await existing(programId, deps);
  const producer: Producer = { source, account, addedAt: deps.clock.now().toISOString() };
  const added = await deps.producers.addProducer(programId, producer);
  return { producer, added };
}

export async function removeProducer(
  programId: string,
  input: { source: string; account?: string },
  deps: ProducerDeps,
): Promise<boolean> {
  const { source, account } = validate(input.source, input.account);
  await existing(programId, deps);
  return deps.producers.removeProducer(programId, source, account);
}

export async function listProducers(programId: string, deps: Omit<ProducerDeps, 'clock'>): Promise<Producer[]> {
  await existing(programId, deps);
  return deps.producers.listProducers(programId);
}

/**
 * Refuses (UnregisteredProducer) an event whose source and account are not registered for the
 * program it names; `ownAccount` is the account the consumer runs in.
 */
export async function checkProducer(
  programId: string,
  event: { source: string; account: string },
  ownAccount: string,
  deps: Pick<ProducerDeps, 'producers'>,
): Promise<void> {
  const cached = await deps.producers.listProducers(programId);
  if (isRegisteredProducer(cached, event, ownAccount)) return;
  // Registered a moment ago? Read again before refusing.
  const fresh = await deps.producers.listProducers(programId, { freshFor: `${event.source} ${event.account}` });
  if (!isRegisteredProducer(fresh, event, ownAccount)) {
    throw new UnregisteredProducer(programId, event.source, event.account);
  }
}
