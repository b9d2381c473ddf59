/**
 * How every function is bundled, shared by the CDK construct and `npm run bench` so the bench
 * measures what ships. middy 6 is ESM-only; ESM output keeps it (and powertools) on their native
 * module format, and the banner gives CommonJS dependencies that call require() a working one.
 */
export const BUNDLE_OPTIONS = {
  mainFields: ['module', 'main'],
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  externalModules: [] as string[],
  /** Bare imports replaced in bundles, relative to the repository root. */
  alias: { '@aws-sdk/credential-provider-node': './adapters/runtime/lambda-credentials.ts' } as Record<string, string>,
} as const;
