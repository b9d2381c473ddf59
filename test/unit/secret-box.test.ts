import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { kmsSecretBox } from '../../adapters/secrets/kms-secret-box';
import { localSecretBox } from '../../adapters/secrets/local-secret-box';
import { secretBoxFromEnv } from '../../adapters/secrets/secret-box';

describe('local secret box', () => {
  const box = localSecretBox(randomBytes(32));
  const ctx = { programId: 'demo', owner: 'connector:c1' };

  it('opens what it sealed, and the sealed form shows nothing of the secret', async () => {
    const sealed = await box.seal('shpss_0123456789abcdef', ctx);
    expect(sealed).toMatch(/^v1\.local\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('0123456789abcdef');
    expect(await box.open(sealed, { owner: 'connector:c1', programId: 'demo' })).toBe('shpss_0123456789abcdef');
  });

  it('refuses another context, another key and a tampered value', async () => {
    const sealed = await box.seal('s3cret', ctx);
    await expect(box.open(sealed, { ...ctx, programId: 'other' })).rejects.toThrow();
    await expect(localSecretBox(randomBytes(32)).open(sealed, ctx)).rejects.toThrow();
    const raw = Buffer.from(sealed.slice('v1.local.'.length), 'base64url');
    raw.writeUInt8(raw.readUInt8(raw.length - 1) ^ 1, raw.length - 1);
    await expect(box.open(`v1.local.${raw.toString('base64url')}`, ctx)).rejects.toThrow();
  });

  it('two seals of one secret differ (a fresh IV each)', async () => {
    expect(await box.seal('x', ctx)).not.toBe(await box.seal('x', ctx));
  });
});

describe('KMS secret box', () => {
  it('sends Encrypt and Decrypt with the key and the context as encryption context', async () => {
    const calls: { op: string; input: any }[] = [];
    const client = {
      async call<T>(op: string, input: any): Promise<T> {
        calls.push({ op, input });
        if (op === 'Encrypt') return { CiphertextBlob: Buffer.from(`enc:${input.Plaintext}`).toString('base64') } as T;
        const blob = Buffer.from(input.CiphertextBlob, 'base64').toString().replace(/^enc:/, '');
        return { Plaintext: blob } as T;
      },
    };
    const box = kmsSecretBox({ keyId: 'alias/loyalty-secrets', region: 'eu-west-1', client });
    const sealed = await box.seal('whsec_abc', { programId: 'demo' });
    expect(sealed.startsWith('v1.kms.')).toBe(true);
    expect(await box.open(sealed, { programId: 'demo' })).toBe('whsec_abc');
    expect(calls.map((c) => c.op)).toEqual(['Encrypt', 'Decrypt']);
    expect(calls[0]?.input).toMatchObject({ KeyId: 'alias/loyalty-secrets', EncryptionContext: { programId: 'demo' } });
    expect(calls[1]?.input.EncryptionContext).toEqual({ programId: 'demo' });
  });
});

describe('secretBoxFromEnv', () => {
  it('takes the local key, and names both variables when neither is set', async () => {
    const box = secretBoxFromEnv({ LOCAL_SECRET_KEY: 'ab'.repeat(32) });
    expect(await box.open(await box.seal('k', {}), {})).toBe('k');
    expect(() => secretBoxFromEnv({})).toThrow(/SECRETS_KEY_ID.*LOCAL_SECRET_KEY/);
    expect(() => secretBoxFromEnv({ LOCAL_SECRET_KEY: 'short' })).toThrow(/LOCAL_SECRET_KEY/);
  });
});
