// AWS settings the CLI reads from an environment map (so commands take `env` as a dependency).

/**
 * Static keys from `env`. The SDK's own chain reads only process.env; passing them explicitly lets
 * a command run against any environment map (tests, child processes) with the same precedence.
 */
export function envCredentials(
  env: Record<string, string | undefined>,
): { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = env;
  // A named profile wins over static keys, as in the SDK chain.
  if (!accessKeyId || !secretAccessKey || env.AWS_PROFILE) return undefined;
  return {
    accessKeyId,
    secretAccessKey,
    ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
  };
}
