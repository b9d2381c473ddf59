/**
 * Bundled in place of `@aws-sdk/credential-provider-node` (see infra/constructs/bundle-options.ts). On
 * Lambda the execution role's credentials are in the environment for the sandbox's lifetime, so the
 * default chain's other providers (SSO, ini files, process, web identity, IMDS, and the STS and SSO
 * clients they bundle, about 90 KiB) are never reached; only the environment is read, as the SDK's
 * own `fromEnv` does. Locally and in tests the real chain runs: this file is used only in bundles.
 */
interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export const defaultProvider = (_init?: unknown) => async (): Promise<Credentials> => {
  const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey)
    throw Object.assign(new Error('No AWS credentials in the environment (AWS_ACCESS_KEY_ID)'), {
      name: 'CredentialsProviderError',
    });
  const sessionToken = process.env.AWS_SESSION_TOKEN;
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
};
