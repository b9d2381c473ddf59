// `loyalty producer add|list|remove`: who may credit a program over the bus.

import { ValidationFailed } from '../core/kernel/errors';
import type { ProducerDeps } from '../core/programs/use-cases/producers';
import { addProducer, listProducers, removeProducer } from '../core/programs/use-cases/producers';

export async function producerCommand(
  verb: string | undefined,
  programId: string | undefined,
  values: { source?: string; account?: string; json?: boolean },
  deps: ProducerDeps,
): Promise<number> {
  const print = (data: unknown, text: string) => console.log(values.json ? JSON.stringify(data) : text);
  if (!programId || !['add', 'list', 'remove'].includes(verb ?? '')) {
    throw new ValidationFailed([
      { field: 'command', message: 'is producer add|list|remove <programId> [--source S] [--account 123456789012]' },
    ]);
  }
  if (verb === 'list') {
    const producers = await listProducers(programId, deps);
    print(
      producers,
      producers.length
        ? producers.map((p) => `${p.source}  ${p.account ?? '(this account)'}  since ${p.addedAt}`).join('\n')
        : `No producers registered for ${programId}: its bus events are not credited`,
    );
    return 0;
  }
  if (!values.source)
    throw new ValidationFailed([{ field: 'source', message: 'is required, e.g. --source shop.checkout' }]);
  const input = { source: values.source, account: values.account };
  if (verb === 'add') {
    const { producer, added } = await addProducer(programId, input, deps);
    const from = producer.account ? `account ${producer.account}` : 'this AWS account';
    const verdict = added ? 'Registered' : 'Already registered';
    print(
      { programId, ...producer, added },
      `${verdict}: events from source ${producer.source} (${from}) credit ${programId}`,
    );
    return 0;
  }
  const removed = await removeProducer(programId, input, deps);
  print({ programId, ...input, removed }, removed ? `Removed ${values.source} from ${programId}` : 'No such producer');
  return removed ? 0 : 1;
}
