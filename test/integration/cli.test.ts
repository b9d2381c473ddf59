import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { earnForPurchase } from '../../core/earning/use-cases/earn-for-purchase';
import { createRule } from '../../core/earning/use-cases/manage-rules';
import { ValidationFailed } from '../../core/kernel/errors';
import { getMember } from '../../core/ledger/use-cases/members';
import { authenticate, hashApiKey } from '../../core/programs/use-cases/authenticate';
import { main } from '../../tools/cli';
import { ledgerFixture, purchase } from '../support/ledger';

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

  it('program show lists the windfall key ids, never a key', async () => {
    const { out } = await run('program', 'show', 'brand-x', '--json');
    const stored = (await f.deps.programs.getProgram('brand-x'))!.windfallKeys!;

    expect(JSON.parse(out).windfallKeys).toEqual({ current: stored.current, ids: [stored.current] });
    expect(out).not.toContain(stored.keys[stored.current]!);
  });

  it('windfall audit recomputes the draws of a purchase and finds they match, before and after rotation', async () => {
    await f.program('lucky-shop');
    await createRule(
      'lucky-shop',
      { ruleId: 'lucky', kind: 'windfall', name: 'Lucky', probability: '0.5', minPoints: 1, maxPoints: 99 },
      'k',
      f.deps,
    );
    await earnForPurchase('lucky-shop', purchase({ orderId: 'w-1', memberId: 'ann' }), f.deps);
    const secret = Object.values((await f.deps.programs.getProgram('lucky-shop'))!.windfallKeys!.keys)[0]!;

    const audit = await run('windfall', 'audit', 'lucky-shop', '--order', 'w-1');
    expect(audit).toMatchObject({ code: 0, out: expect.stringContaining('MATCHES') });
    expect(audit.out).toMatch(/input windfall\.v2\|wk-[0-9a-z]+\|lucky-shop\|w-1\|lucky\|1/);
    expect(audit.out).not.toContain(secret);

    const rotated = JSON.parse((await run('windfall', 'rotate-key', 'lucky-shop', '--json')).out);
    await earnForPurchase('lucky-shop', purchase({ orderId: 'w-2', memberId: 'ann' }), f.deps);
    const after = JSON.parse((await run('windfall', 'audit', 'lucky-shop', '--order', 'w-2', '--json')).out);
    expect(after.draws[0]).toMatchObject({ matches: true, recorded: { key: rotated.keyId } });
    expect((await run('windfall', 'audit', 'lucky-shop', '--order', 'w-1')).code).toBe(0);
  });

  it('backfill records a JSON-lines history once; a rerun replays it; a bad line fails the run', async () => {
    await f.program('history');
    const file = join(mkdtempSync(join(tmpdir(), 'backfill-')), 'history.jsonl');
    const old = (orderId: string, amount: number) =>
      JSON.stringify({
        record: 'purchase',
        orderId,
        memberId: 'ann',
        occurredAt: '2024-02-01T10:00:00Z',
        currency: 'USD',
        amount,
      });
    writeFileSync(file, `${old('h-1', 40_00)}\n\n${old('h-2', 2_00)}\n`);

    const first = await run('backfill', 'history', '--file', file, '--json');
    const again = await run('backfill', 'history', '--file', file);
    writeFileSync(file, `${old('h-3', 1_00)}\n{"record":"purchase"}\n`);
    const bad = await run('backfill', 'history', '--file', file);

    expect(first.code).toBe(0);
    expect(JSON.parse(first.out)).toMatchObject({ records: 2, credited: 2, points: 42 });
    expect(again).toEqual({ code: 0, out: '2 record(s): 0 recorded, 2 already recorded, 0 rejected; 0 point(s) net.' });
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/^line 2 \(\? \?\): rejected validation-failed: orderId is required/);
    expect((await getMember('history', 'ann', f.deps)).points.available).toBe(43);
  });

  it('program set changes the money settings and the accepted lateness', async () => {
    await run(
      ...['program', 'set', 'brand-x', '--earn-on', 'tax,gift-cards', '--max-purchase-amount', '500000'],
      ...['--max-points-per-transaction', '5000', '--amount-tolerance-per-line', '0', '--lateness-days', '7'],
    );

    expect(await f.deps.programs.getProgram('brand-x')).toMatchObject({
      earnOn: { shipping: false, tax: true, giftCards: true },
      maxPurchaseAmount: 500_000,
      maxPointsPerTransaction: 5_000,
      amountTolerancePerLine: 0,
      latenessDays: 7,
    });
    await expect(run('program', 'set', 'brand-x', '--earn-on', 'coupons')).rejects.toBeInstanceOf(ValidationFailed);
    await expect(run('program', 'set', 'brand-x', '--max-points-per-transaction', '0')).rejects.toBeInstanceOf(
      ValidationFailed,
    );
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
