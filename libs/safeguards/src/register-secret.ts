import { readFileSync } from 'node:fs';
import { ErrorCode, GatewayError } from '#libs/errors';
import { MIN_SECRET_BYTES } from '#libs/protection-register';

export const REGISTER_SECRET = Symbol('REGISTER_SECRET');

/**
 * The node secret the register's keyed hashes are made with, from GATEWAY_REGISTER_SECRET_FILE.
 * Without it the register cannot be checked, so the node does not start: no message may leave
 * unchecked (H-1).
 */
export function readRegisterSecret(env: Record<string, string | undefined> = process.env): Buffer {
  const file = env.GATEWAY_REGISTER_SECRET_FILE;
  if (!file)
    throw new GatewayError(
      ErrorCode.KEY_UNAVAILABLE,
      'set GATEWAY_REGISTER_SECRET_FILE: the protected-persons register needs its secret',
    );
  let secret: Buffer;
  try {
    secret = readFileSync(file);
  } catch {
    throw new GatewayError(
      ErrorCode.KEY_UNAVAILABLE,
      'the file named by GATEWAY_REGISTER_SECRET_FILE cannot be read',
    );
  }
  if (secret.byteLength < MIN_SECRET_BYTES) {
    throw new GatewayError(
      ErrorCode.KEY_UNAVAILABLE,
      `the register secret must hold at least ${MIN_SECRET_BYTES} bytes`,
    );
  }
  return secret;
}
