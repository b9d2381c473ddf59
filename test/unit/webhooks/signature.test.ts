import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { newEndpointSecret, SECRET_PREFIX, sign, signedHeaders } from '../../../core/webhooks/domain/signature';

const body = JSON.stringify({ type: 'Points Earned', timestamp: '2026-12-01T10:00:00.000Z', data: { points: 120 } });
const id = 'msg_01KB0000000000000000000000';

describe('Standard Webhooks signatures', () => {
  it('verify with the standardwebhooks package', () => {
    const secret = newEndpointSecret();
    const ts = Math.floor(Date.now() / 1000);
    const headers = signedHeaders([secret], id, ts, body);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('are what the package itself signs', () => {
    const secret = newEndpointSecret();
    const at = new Date('2026-12-01T10:00:00Z');
    expect(sign(secret, id, Math.floor(at.getTime() / 1000), body)).toBe(new Webhook(secret).sign(id, at, body));
  });

  it('fail verification when the body, the id or the secret differ', () => {
    const secret = newEndpointSecret();
    const ts = Math.floor(Date.now() / 1000);
    const headers = signedHeaders([secret], id, ts, body);
    expect(() => new Webhook(secret).verify(body.replace('120', '121'), headers)).toThrow();
    expect(() => new Webhook(secret).verify(body, { ...headers, 'webhook-id': `${id}X` })).toThrow();
    expect(() => new Webhook(newEndpointSecret()).verify(body, headers)).toThrow();
  });

  it('carry one signature per secret during a rotation, and either secret verifies', () => {
    const [current, previous] = [newEndpointSecret(), newEndpointSecret()];
    const headers = signedHeaders([current, previous], id, Math.floor(Date.now() / 1000), body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(current).verify(body, headers)).toBeTruthy();
    expect(new Webhook(previous).verify(body, headers)).toBeTruthy();
  });

  it('makes secrets as the spec asks: whsec_ and 24 random bytes in base64', () => {
    const secret = newEndpointSecret();
    expect(secret.startsWith(SECRET_PREFIX)).toBe(true);
    expect(Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64')).toHaveLength(24);
    expect(newEndpointSecret()).not.toBe(secret);
  });
});
