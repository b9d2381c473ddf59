// One webhook POST with node:http(s): no redirect is followed (a 3xx is a failed attempt), the
// whole exchange has 10 s, and, on AWS, the connection goes only to an address that was checked
// public at connect time (the lookup itself refuses private answers, so a name that resolves
// elsewhere between checks cannot reach the VPC, the metadata service or loopback).
import { lookup as dnsLookup } from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction } from 'node:net';
import { refusedAddress } from '../../core/webhooks/domain/targets';
import type { HostResolver, WebhookSender } from '../../core/webhooks/ports';

/** Only the start of an answer is read (and thrown away): a receiver's body does not matter. */
const MAX_RESPONSE_BYTES = 64 * 1024;

class RefusedTarget extends Error {}

/** A lookup that answers only public addresses, for the one connection it serves. */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '', 0);
    const list = addresses as unknown as { address: string; family: number }[];
    const refused = refusedAddress(list.map((a) => a.address));
    if (refused)
      return callback(
        new RefusedTarget(`${hostname} resolves to a ${refused.class} address (${refused.address})`),
        '',
        0,
      );
    if ((options as { all?: boolean }).all)
      return (callback as unknown as (e: null, all: typeof list) => void)(null, list);
    callback(null, list[0]!.address, list[0]!.family);
  });
};

export function httpWebhookSender(): WebhookSender {
  return {
    send(req) {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      return new Promise((resolve) => {
        let settled = false;
        const finish = (statusCode: number | null, error: string | null) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ statusCode, latencyMs: elapsed(), error });
        };
        let url: URL;
        try {
          url = new URL(req.url);
        } catch {
          return finish(null, 'the endpoint URL is not valid');
        }
        const secure = url.protocol === 'https:';
        if (!secure && !req.allowPrivate) return finish(null, 'only https targets are allowed');
        const request = (secure ? https : http).request(
          url,
          {
            method: 'POST',
            headers: { ...req.headers, 'content-length': Buffer.byteLength(req.body) },
            ...(req.allowPrivate ? {} : { lookup: publicOnlyLookup }),
            agent: false,
          },
          (res) => {
            let read = 0;
            res.on('data', (chunk: Buffer) => {
              read += chunk.length;
              if (read > MAX_RESPONSE_BYTES) res.destroy();
            });
            res.on('end', () => finish(res.statusCode ?? null, null));
            res.on('close', () => finish(res.statusCode ?? null, null));
            res.on('error', () => finish(res.statusCode ?? null, null));
          },
        );
        const timer = setTimeout(() => {
          request.destroy(new Error(`no answer within ${req.timeoutMs} ms`));
        }, req.timeoutMs);
        request.on('error', (err) => {
          const code = (err as NodeJS.ErrnoException).code;
          finish(
            null,
            err instanceof RefusedTarget
              ? `refused target: ${err.message}`
              : `${code ? `${code}: ` : ''}${err.message}`,
          );
        });
        request.end(req.body);
      });
    },
  };
}

export function dnsResolver(): HostResolver {
  return {
    resolve: (host) =>
      new Promise((resolve, reject) =>
        dnsLookup(host, { all: true }, (err, addresses) =>
          err ? reject(err) : resolve((addresses as { address: string }[]).map((a) => a.address)),
        ),
      ),
  };
}
