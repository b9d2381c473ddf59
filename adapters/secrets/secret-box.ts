// The seal a function uses: KMS when the stack gave it a key (`SECRETS_KEY_ID`), else the local key
// (`LOCAL_SECRET_KEY`, 64 hex characters, which the local stack sets). Neither: a clear error.
import type { SecretBox } from '../../core/kernel/secrets';
import { kmsSecretBox } from './kms-secret-box';
import { localSecretBox } from './local-secret-box';

let cached: SecretBox | undefined;

export function secretBoxFromEnv(env: NodeJS.ProcessEnv = process.env): SecretBox {
  if (env === process.env && cached) return cached;
  let box: SecretBox;
  if (env.SECRETS_KEY_ID) {
    box = kmsSecretBox({
      keyId: env.SECRETS_KEY_ID,
      region: env.AWS_REGION ?? 'us-east-1',
      endpoint: env.KMS_ENDPOINT || undefined,
    });
  } else if (env.LOCAL_SECRET_KEY && /^[0-9a-f]{64}$/i.test(env.LOCAL_SECRET_KEY)) {
    box = localSecretBox(Buffer.from(env.LOCAL_SECRET_KEY, 'hex'));
  } else {
    throw new Error('No key to seal secrets: set SECRETS_KEY_ID (a KMS key) or LOCAL_SECRET_KEY (64 hex characters)');
  }
  if (env === process.env) cached = box;
  return box;
}
