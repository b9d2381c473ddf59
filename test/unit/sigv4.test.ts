import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signRequest } from '../../adapters/aws/sigv4';

// The SDK's own signer, with node:crypto as its hash: what AWS would accept.
type Data = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: Data) =>
  typeof d === 'string'
    ? d
    : d instanceof ArrayBuffer
      ? new Uint8Array(d)
      : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
class NodeSha256 {
  private readonly h;
  constructor(secret?: Data) {
    this.h = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(data: Data) {
    this.h.update(bytes(data));
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
  reset() {}
}

async function sdkSignature(input: {
  url: URL;
  headers: Record<string, string>;
  body: string;
  region: string;
  service: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  now: Date;
}) {
  const signer = new SignatureV4({
    credentials: input.credentials,
    region: input.region,
    service: input.service,
    sha256: NodeSha256,
  });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: input.url.protocol,
      hostname: input.url.hostname,
      port: input.url.port ? Number(input.url.port) : undefined,
      path: input.url.pathname,
      query: Object.fromEntries(input.url.searchParams),
      headers: { ...input.headers, host: input.url.host },
      body: input.body,
    },
    { signingDate: input.now },
  );
  return signed.headers as Record<string, string>;
}

describe('SigV4 (adapters/aws/sigv4.ts)', () => {
  const base = {
    url: new URL('https://dynamodb.eu-west-1.amazonaws.com/'),
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' },
    body: JSON.stringify({ TableName: 'loyalty', Key: { pk: { S: 'APIKEY#ab' }, sk: { S: 'APIKEY' } } }),
    region: 'eu-west-1',
    service: 'dynamodb',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    now: new Date('2026-12-01T10:11:12.345Z'),
  };

  it("signs a DynamoDB request exactly as the SDK's signer does", async () => {
    const ours = signRequest({ method: 'POST', ...base });
    const sdk = await sdkSignature(base);
    expect(ours.authorization).toBe(sdk.authorization);
    expect(ours['x-amz-date']).toBe('20261201T101112Z');
  });

  it('with a session token (Lambda credentials), signed too', async () => {
    const credentials = { ...base.credentials, sessionToken: 'IQoJb3JpZ2luX2VjEJr//////////session+token=' };
    const ours = signRequest({ method: 'POST', ...base, credentials });
    const sdk = await sdkSignature({ ...base, credentials });
    expect(ours['x-amz-security-token']).toBe(credentials.sessionToken);
    expect(ours.authorization).toBe(sdk.authorization);
  });

  it('property: any body, region, path and local endpoint sign the same as the SDK', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 300 }),
        fc.constantFrom('us-east-1', 'eu-central-1', 'ap-northeast-2'),
        fc.constantFrom(
          'http://127.0.0.1:8000/',
          'https://dynamodb.us-east-1.amazonaws.com/',
          'http://localhost:4010/x/y z',
        ),
        fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }),
        async (body, region, endpoint, now) => {
          const input = { ...base, url: new URL(endpoint), body, region, now };
          const ours = signRequest({ method: 'POST', ...input });
          const sdk = await sdkSignature(input);
          expect(ours.authorization).toBe(sdk.authorization);
        },
      ),
      { numRuns: 60 },
    );
  });
});
