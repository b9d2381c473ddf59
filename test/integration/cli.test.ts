import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ValidationFailed } from '../../core/kernel/errors';
import { authenticate, hashApiKey } from '../../core/programs/use-cases/authenticate';
import { main } from '../../tools/cli';
import { ledgerFixture } from '../support/ledger';

/** The operator CLI against a DynamoDB Local table, as `npm run --silent loyalty -- ...` runs it. */
describe('operator CLI', () => {
  let f: Awaited<ReturnType<typeof ledgerFixture>>;
  let target: string[];

  async function run(...args: string[]): Promise<{ code: number; out: string }> {
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...a) => void lines.push(a.join(' ')));
    try {
      const code = await main([...args, ...target]);
      return { code, out: lines.join('\n') };
    } finally {
      spy.mockRestore();
    }
  }

  beforeAll(async () => {
    f = await ledgerFixture();
    target = ['--table', f.tableName, '--endpoint', f.endpoint];
  });
  afterAll(() => f.drop());

  it('program create --json prints the program id and an admin key, stored only as a hash', async () => {
    const { code, out } = await run(
      'program',
      'create',
      'brand-x',
      '--currency',
      'eur',
      '--time-zone',
      'Europe/Paris',
      '--pending-days',
      '14',
      '--json',
    );
    expect(code).toBe(0);
    const { programId, adminKey } = JSON.parse(out);
    expect(programId).toBe('brand-x');
    expect(adminKey).toMatch(/^lk_[A-Za-z0-9_-]{43}$/);
    expect(await authenticate(adminKey, f.deps)).toMatchObject({ programId: 'brand-x', scopes: ['admin'] });
    const items = await f.scanAll();
    expect(JSON.stringify(items)).not.toContain(adminKey);
    expect(items.some((i) => i.pk === `APIKEY#${hashApiKey(adminKey)}`)).toBe(true);
    expect(await f.deps.programs.getProgram('brand-x')).toMatchObject({
      currency: 'EUR',
      timeZone: 'Europe/Paris',
      pendingDays: 14,
    });
  });

  it('key create --scopes --json prints a key bound to the program with those scopes', async () => {
    const { out } = await run('key', 'create', 'brand-x', '--scopes', 'members:read,purchases:write', '--json');
    const { apiKey, scopes } = JSON.parse(out);
    expect(scopes).toEqual(['members:read', 'purchases:write']);
    expect(await authenticate(apiKey, f.deps)).toMatchObject({ programId: 'brand-x', scopes });
  });

  it('program set changes settings; bad values and unknown scopes are refused with the field named', async () => {
    await run('program', 'set', 'brand-x', '--return-policy', 'negative-balance', '--json');
    expect(await f.deps.programs.getProgram('brand-x')).toMatchObject({ returnPolicy: 'negative-balance' });
    await expect(run('key', 'create', 'brand-x', '--scopes', 'members:read,root')).rejects.toBeInstanceOf(
      ValidationFailed,
    );
    await expect(run('program', 'create', 'bad#id')).rejects.toBeInstanceOf(ValidationFailed);
    await expect(run('program', 'set', 'brand-x', '--time-zone', 'Mars/Olympus')).rejects.toBeInstanceOf(
      ValidationFailed,
    );
  });
});
