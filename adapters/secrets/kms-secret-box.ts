// AWS seal: KMS Encrypt / Decrypt (secrets are far under KMS's 4 KB plaintext limit) with the
// context as the KMS encryption context, through the SDK-free JSON client (no 200 KiB SDK in the
// bundles that need it). Sealed form: `v1.kms.<CiphertextBlob, base64>`.
import type { SecretBox } from '../../core/kernel/secrets';
import { awsJsonClient } from '../aws/aws-json';

const PREFIX = 'v1.kms.';

type Client = Pick<ReturnType<typeof awsJsonClient>, 'call'>;

export function kmsSecretBox(opts: { keyId: string; region: string; endpoint?: string; client?: Client }): SecretBox {
  const client =
    opts.client ??
    awsJsonClient({
      service: 'kms',
      targetPrefix: 'TrentService',
      contentType: 'application/x-amz-json-1.1',
      region: opts.region,
      endpoint: opts.endpoint,
    });
  return {
    async seal(plaintext, context) {
      const out = await client.call<{ CiphertextBlob: string }>('Encrypt', {
        KeyId: opts.keyId,
        Plaintext: Buffer.from(plaintext, 'utf8').toString('base64'),
        EncryptionContext: { ...context },
      });
      return PREFIX + out.CiphertextBlob;
    },
    async open(sealed, context) {
      if (!sealed.startsWith(PREFIX)) throw new Error('Not a KMS-sealed secret');
      const out = await client.call<{ Plaintext: string }>('Decrypt', {
        KeyId: opts.keyId,
        CiphertextBlob: sealed.slice(PREFIX.length),
        EncryptionContext: { ...context },
      });
      return Buffer.from(out.Plaintext, 'base64').toString('utf8');
    },
  };
}
