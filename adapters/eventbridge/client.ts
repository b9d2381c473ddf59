import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DEPENDENCY_TIMEOUTS, localCredentials, runtimeConfig } from '../runtime/config';

let eventBridge: EventBridgeClient | undefined;

/** The function's client: created once per cold start and reused by every invocation. */
export function eventBridgeClient(): EventBridgeClient {
  if (!eventBridge) {
    const { region, eventBridgeEndpoint } = runtimeConfig();
    eventBridge = new EventBridgeClient({
      region,
      endpoint: eventBridgeEndpoint,
      ...localCredentials(eventBridgeEndpoint),
      ...DEPENDENCY_TIMEOUTS,
    });
  }
  return eventBridge;
}
