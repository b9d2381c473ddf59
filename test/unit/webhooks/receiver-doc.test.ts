// The receiver docs/integrations/webhooks.md shows, run as it is printed: it must accept a signed
// delivery once, ignore its retry, and refuse a forged one.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newEndpointSecret, signedHeaders } from '../../../core/webhooks/domain/signature';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const doc = readFileSync(join(ROOT, 'docs/integrations/webhooks.md'), 'utf8');
const code = /```js receiver\n([\s\S]*?)\n```/.exec(doc)![1]!;
// Beside the repository's node_modules, so `standardwebhooks` resolves as in a receiver's project.
const file = join(ROOT, '.scratch', `receiver-${process.pid}.mjs`);
const secret = newEndpointSecret();
let child: ChildProcess;
let port: number;
let out = '';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = s.address() as { port: number };
      s.close(() => resolve(p));
    });
  });

beforeAll(async () => {
  mkdirSync(join(ROOT, '.scratch'), { recursive: true });
  writeFileSync(file, code);
  port = await freePort();
  child = spawn(process.execPath, [file], {
    env: { ...process.env, LOYALTY_WEBHOOK_SECRET: secret, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c) => {
    out += c;
  });
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: '' }).catch(() => null);
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the receiver did not start');
});

afterAll(() => {
  child?.kill();
  rmSync(file, { force: true });
});

const post = (id: string, body: string, sign = secret) =>
  fetch(`http://127.0.0.1:${port}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signedHeaders([sign], id, Math.floor(Date.now() / 1000), body) },
    body,
  });

describe('the receiver in docs/integrations/webhooks.md', () => {
  it('is about 15 lines', () => {
    expect(code.split('\n').filter((l) => l.trim()).length).toBeLessThanOrEqual(15);
  });

  it('accepts a signed delivery once, ignores its retry, refuses a forged one', async () => {
    const body = JSON.stringify({ type: 'Points Earned', timestamp: new Date().toISOString(), data: { points: 7 } });
    expect((await post('msg_01KB2YQ6Z3Q8D7C6XW1Y6S5E0T', body)).status).toBe(204);
    expect((await post('msg_01KB2YQ6Z3Q8D7C6XW1Y6S5E0T', body)).status).toBe(204);
    expect((await post('msg_01KB2YQ6Z3Q8D7C6XW1Y6S5E0V', body, newEndpointSecret())).status).toBe(401);
    for (let i = 0; i < 40 && !out.includes('received'); i++) await new Promise((r) => setTimeout(r, 25));
    expect(out.trim().split('\n')).toEqual(['received Points Earned {"points":7}']);
  });
});
