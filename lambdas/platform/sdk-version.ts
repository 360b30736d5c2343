/**
 * The AWS SDK version this code runs with: the bundled one (pinned by package-lock) in the shipped Lambdas, logged
 * at cold start so a log line shows which SDK a deployed function really ran.
 */
export function awsSdkVersion(): string {
  try {
    // package.json is not an export of the client's entry point; the require is resolved (and inlined) by esbuild.
    return (require('@aws-sdk/client-dynamodb/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
