// The load generator of `npm run bench -- --load`, in a child process so it does not share an event
// loop with the local stack it drives (autocannon aggregates its figures only on a main thread). Every request is a new purchase (a unique order id), so each
// one is a full earn, not a replay.
import autocannon from 'autocannon';

const { url, apiKey, connections, seconds, members } = JSON.parse(process.argv[2]);
let n = 0;
const result = await autocannon({
  url: `${url}/v1/purchases`,
  connections,
  duration: seconds,
  requests: [
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      setupRequest: (req) => {
        const i = n++;
        const amount = 1_000 + (i % 97) * 137;
        return {
          ...req,
          body: JSON.stringify({
            orderId: `load-${i}`,
            memberId: `load-m-${i % members}`,
            occurredAt: new Date().toISOString(),
            currency: 'USD',
            amount,
            items: [{ sku: `sku-${i % 50}`, quantity: 1, unitPrice: amount, category: 'home' }],
          }),
        };
      },
    },
  ],
});
process.send({
  requests: result.requests.total,
  perSecond: result.requests.average,
  p50Ms: result.latency.p50,
  p99Ms: result.latency.p99,
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
  statusCodes: result.statusCodeStats,
});
