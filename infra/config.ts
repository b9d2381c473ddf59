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
}

export const STAGES: Record<Stage, StageConfig> = {
  local: { prefix: 'local', retainData: true, archiveRetentionDays: 7, logRetentionDays: 7, authorizerCacheSeconds: 0 },
  dev: { prefix: 'dev', retainData: true, archiveRetentionDays: 30, logRetentionDays: 30, authorizerCacheSeconds: 60 },
  prod: {
    prefix: 'prod',
    retainData: true,
    archiveRetentionDays: 365,
    logRetentionDays: 365,
    authorizerCacheSeconds: 300,
  },
};

export function stageConfig(stage: string | undefined): StageConfig & { stage: Stage } {
  const s = (stage ?? 'dev') as Stage;
  const config = STAGES[s];
  if (!config) throw new Error(`Unknown stage "${stage}". Known: ${Object.keys(STAGES).join(', ')}`);
  return { ...config, stage: s };
}
