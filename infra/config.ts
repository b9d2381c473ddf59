export type Stage = 'dev' | 'prod' | 'local';

export interface StageConfig {
  /** Prefix of physical names (bus name, stack names). */
  readonly prefix: string;
  /** RETAIN + deletion protection for the table and archive. */
  readonly retainData: boolean;
  readonly archiveRetentionDays: number;
  readonly logRetentionDays: number;
  /** API Gateway authorizer result cache, seconds (0 disables). */
  readonly authorizerCacheSeconds: number;
  /**
   * The stage throttle: what each route (method and path) accepts from every program together,
   * requests per second and burst. Each program also has its own, smaller limits (its usage plan).
   */
  readonly apiThrottle: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * The public webhook route (no API key, so no usage plan): its own method throttle, all shops
   * together. A platform retries a 429 (Shopify for 48 hours), so a burst is delayed, never lost.
   */
  readonly webhookThrottle: { readonly rateLimit: number; readonly burstLimit: number };
}

// apiThrottle in prod: 500 requests/s per route, ten programs at the default 50; 500 purchases/s is
// about what a new on-demand table writes before it scales (docs/operations.md#throttling).
export const STAGES: Record<Stage, StageConfig> = {
  local: {
    prefix: 'local',
    retainData: true,
    archiveRetentionDays: 7,
    logRetentionDays: 7,
    authorizerCacheSeconds: 0,
    apiThrottle: { rateLimit: 500, burstLimit: 1000 },
    webhookThrottle: { rateLimit: 100, burstLimit: 200 },
  },
  dev: {
    prefix: 'dev',
    retainData: true,
    archiveRetentionDays: 30,
    logRetentionDays: 30,
    authorizerCacheSeconds: 60,
    apiThrottle: { rateLimit: 100, burstLimit: 200 },
    webhookThrottle: { rateLimit: 50, burstLimit: 100 },
  },
  prod: {
    prefix: 'prod',
    retainData: true,
    archiveRetentionDays: 365,
    logRetentionDays: 365,
    authorizerCacheSeconds: 300,
    apiThrottle: { rateLimit: 500, burstLimit: 1000 },
    webhookThrottle: { rateLimit: 200, burstLimit: 400 },
  },
};

export function stageConfig(stage: string | undefined): StageConfig & { stage: Stage } {
  const s = (stage ?? 'dev') as Stage;
  const config = STAGES[s];
  if (!config) throw new Error(`Unknown stage "${stage}". Known: ${Object.keys(STAGES).join(', ')}`);
  return { ...config, stage: s };
}
