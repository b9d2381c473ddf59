import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { BusinessMetrics } from '../../core/kernel/metrics';

export { logger } from './logger';

/** EMF business metrics, one instance per cold start. */
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Loyalty',
  serviceName: 'loyalty',
});

export const emfMetrics: BusinessMetrics = {
  count: (name, value = 1) => metrics.addMetric(name, MetricUnit.Count, value),
};

/**
 * Flushes the invocation's metrics as EMF, if it recorded any. (Powertools' logMetrics warns on
 * every invocation without metrics, e.g. each read or replay; that is noise, not a signal.)
 */
export function publishMetrics(): { after: () => void; onError: () => void } {
  const flush = () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return { after: flush, onError: flush };
}
