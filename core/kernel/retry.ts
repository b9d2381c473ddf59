/**
 * Optimistic-lock retries: when another write changed the member between our read and our write,
 * read again and decide again. Jittered backoff spreads contenders so each round one of them wins.
 */
export const MAX_LEDGER_ATTEMPTS = 12;

export async function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(200, 10 * 2 ** Math.min(attempt, 5));
  await new Promise((r) => setTimeout(r, Math.floor(Math.random() * ceiling)));
}
