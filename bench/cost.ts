/**
 * What a million earns cost at list price, from the requests and capacity the bench measured and a
 * dated table of prices. Only what scales with earns is counted: storage, logs, alarms and the
 * authorizer (its result is cached per key, so its invocations follow keys, not requests) are not.
 */

export const PRICES = {
  date: '2026-12-01',
  region: 'us-east-1',
  source: 'aws.amazon.com/{dynamodb,api-gateway,lambda,eventbridge}/pricing, list prices, no free tier',
  dynamodbWriteRequestUnitUsd: 0.625 / 1e6,
  dynamodbReadRequestUnitUsd: 0.125 / 1e6,
  apiGatewayRestRequestUsd: 3.5 / 1e6,
  lambdaRequestUsd: 0.2 / 1e6,
  lambdaArmGbSecondUsd: 0.0000133334,
  eventBridgeCustomEventUsd: 1.0 / 1e6,
  /** The functions' memory (infra/constructs/loyalty-function.ts). */
  lambdaMemoryGb: 1,
  /**
   * An assumption, not a measurement: DynamoDB and EventBridge time inside the function on AWS for one
   * BatchGetItem, one TransactWriteItems and one PutEvents (single-digit to ~15 ms each in-region).
   * DynamoDB Local's own time is not a guide to it, so the billed duration is this plus the app's
   * measured share (app p50 minus the baseline's p50).
   */
  awsDependencyMsPerEarn: 30,
} as const;

export interface EarnMeasure {
  /** Read units per earn as DynamoDB Local reports them; write units by AWS's item-size rules (bench/item-size.ts). */
  rcu: number;
  wcu: number;
  /** Events published per earn (Points Earned, and Member Enrolled on a first purchase). */
  eventsPublished: number;
  /** The app's own time per earn, in ms (app p50 minus baseline p50). */
  appMs: number;
}

export interface CostFigures {
  httpsPerMillionUsd: number;
  busPerMillionUsd: number;
  breakdown: Record<'https' | 'bus', Record<string, number>>;
  prices: typeof PRICES;
}

const million = (usd: number) => Math.round(usd * 1e6 * 100) / 100;

export function earnCost(m: EarnMeasure, prices = PRICES): CostFigures {
  // Lambda bills per started millisecond.
  const billedMs = Math.ceil(prices.awsDependencyMsPerEarn + Math.max(0, m.appMs));
  const common = {
    dynamodbWrites: m.wcu * prices.dynamodbWriteRequestUnitUsd,
    dynamodbReads: m.rcu * prices.dynamodbReadRequestUnitUsd,
    lambdaRequest: prices.lambdaRequestUsd,
    lambdaDuration: (billedMs / 1000) * prices.lambdaMemoryGb * prices.lambdaArmGbSecondUsd,
    eventsPublished: m.eventsPublished * prices.eventBridgeCustomEventUsd,
  };
  const https = { apiGateway: prices.apiGatewayRestRequestUsd, ...common };
  // On the bus the shop's own PutEvents is the billed event; EventBridge's delivery to Lambda is free.
  const bus = { eventIn: prices.eventBridgeCustomEventUsd, ...common };
  const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
  const perMillion = (o: Record<string, number>) =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [k, million(v)]));
  return {
    httpsPerMillionUsd: million(sum(https)),
    busPerMillionUsd: million(sum(bus)),
    breakdown: { https: perMillion(https), bus: perMillion(bus) },
    prices,
  };
}
