import { MIN_SECRET_BYTES } from '#libs/protection-register';
import { readSecretFile } from '#libs/node-config';

export const REGISTER_SECRET = Symbol('REGISTER_SECRET');

/**
 * The node secret the register's keyed hashes are made with, from GATEWAY_REGISTER_SECRET_FILE.
 * Without it the register cannot be checked, so the node does not start: no message may leave
 * unchecked (H-1).
 */
export function readRegisterSecret(env: Record<string, string | undefined> = process.env): Buffer {
  return readSecretFile(
    'GATEWAY_REGISTER_SECRET_FILE',
    'the protected-persons register needs its secret',
    MIN_SECRET_BYTES,
    env,
  );
}
