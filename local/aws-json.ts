import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

// The AWS JSON protocol as the SDK clients speak it (EventBridge 1.1, Step Functions 1.0): what the
// local endpoints share.

export type AwsJsonVersion = '1.0' | '1.1';

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', reject);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** The parsed body, `{}` for an empty one, undefined when it is not JSON. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  try {
    return JSON.parse(text || '{}');
  } catch {
    return undefined;
  }
}

export function reply(res: ServerResponse, version: AwsJsonVersion, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': `application/x-amz-json-${version}`,
    'Content-Length': String(Buffer.byteLength(text)),
    'x-amzn-RequestId': randomUUID(),
  });
  res.end(text);
}

export function awsError(
  res: ServerResponse,
  version: AwsJsonVersion,
  status: number,
  type: string,
  message: string,
): void {
  res.setHeader('x-amzn-ErrorType', type);
  reply(res, version, status, { __type: type, message });
}
