// Local seal: AES-256-GCM under a 32-byte key (the local stack keeps one in .local/secret.key; tests
// make their own), the context as additional authenticated data. Sealed form: `v1.local.<base64url
// of iv (12) | tag (16) | ciphertext>`.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { canonicalContext, type SecretBox } from '../../core/kernel/secrets';

const PREFIX = 'v1.local.';

export function localSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error(`A local secret key is 32 bytes, not ${key.length}`);
  return {
    async seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(canonicalContext(context)));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
    },
    async open(sealed, context) {
      if (!sealed.startsWith(PREFIX)) throw new Error('Not a locally sealed secret');
      const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(canonicalContext(context)));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}
