import { isGatewayError } from '#libs/errors';

/**
 * Start-up failures (invalid configuration, a key that cannot be unlocked) end the process with
 * one structured line naming every problem. Secrets are never part of these errors.
 */
export function exitOnStartupFailure(component: string) {
  return (error: unknown): never => {
    const entry = isGatewayError(error)
      ? { level: 'fatal', component, code: error.code, msg: error.message, details: error.details }
      : {
          level: 'fatal',
          component,
          code: 'STARTUP_FAILED',
          msg: error instanceof Error ? error.message : String(error),
        };
    process.stderr.write(`${JSON.stringify(entry)}\n`);
    process.exit(1);
  };
}
