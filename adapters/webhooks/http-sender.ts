// One webhook POST with node:http(s): no redirect is followed (a 3xx is a failed attempt), the
// whole exchange has 10 s, and, on AWS, the connection goes only to an address that was checked
// public at connect time (the lookup itself refuses private answers, so a name that resolves
// elsewhere between checks cannot reach the VPC, the metadata service or loopback).
import { lookup as dnsLookup } from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkTargetUrl, refusedAddress } from '../../core/webhooks/domain/targets';
import type { HostResolver, WebhookSender } from '../../core/webhooks/ports';

/** Only the start of an answer is read (and thrown away): a receiver's body does not matter. */
const MAX_RESPONSE_BYTES = 64 * 1024;

class RefusedTarget extends Error {}

type Lookup = typeof dnsLookup;

/** A lookup that answers only public addresses, for the one connection it serves. */
const publicOnly =
  (lookup: Lookup): LookupFunction =>
  (hostname, options, callback) =>
    lookup(hostname, { ...options, all: true }, (err, addresses) => {
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

/** `lookup` is the resolver (tests pass one that answers what a rebinding attacker would). */
export function httpWebhookSender(opts: { lookup?: Lookup } = {}): WebhookSender {
  const lookup = publicOnly(opts.lookup ?? dnsLookup);
  return {
    send(req) {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      return new Promise((resolve) => {
        let settled = false;
        let timer: NodeJS.Timeout | undefined;
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
        // Checked at creation too; again here for what DNS never sees (an address literal).
        const checked = checkTargetUrl(req.url, req.allowPrivate);
        if (!checked.ok) return finish(null, `refused target: the URL ${checked.reason}`);
        const request = (secure ? https : http).request(
          url,
          {
            method: 'POST',
            headers: { ...req.headers, 'content-length': Buffer.byteLength(req.body) },
            ...(req.allowPrivate ? {} : { lookup }),
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
        timer = setTimeout(() => {
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
