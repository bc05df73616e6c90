import { readFileSync } from 'node:fs';
import { ErrorCode, GatewayError } from '#libs/errors';
import { readSetting } from '#libs/node-config';
import { ColumnCipher, DATA_KEY_BYTES, DataKey } from './column-cipher.js';

type Env = Record<string, string | undefined>;

/**
 * The node's data keys: GATEWAY_DATA_KEY_FILE seals and opens, each file of
 * GATEWAY_DATA_KEY_RETIRED_FILES (comma-separated) only opens what was sealed before a rotation.
 * Every file holds exactly 32 random bytes. Errors name the variable and the file, never content.
 */
export function readDataKeys(env: Env = process.env): ColumnCipher {
  const file = readSetting('GATEWAY_DATA_KEY_FILE', env);
  if (!file) {
    throw new GatewayError(
      ErrorCode.CONFIGURATION_INVALID,
      `set GATEWAY_DATA_KEY_FILE: decrypted payloads and case content are sealed at rest with the node's data key (a file of ${DATA_KEY_BYTES} random bytes)`,
    );
  }
  const retired = readSetting('GATEWAY_DATA_KEY_RETIRED_FILES', env) ?? [];
  return new ColumnCipher(
    readDataKey('GATEWAY_DATA_KEY_FILE', file),
    retired.map((path) => readDataKey('GATEWAY_DATA_KEY_RETIRED_FILES', path)),
  );
}

function readDataKey(variable: string, file: string): DataKey {
  let material: Buffer;
  try {
    material = readFileSync(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new GatewayError(
      ErrorCode.CONFIGURATION_INVALID,
      `the data key file ${file} (${variable}) cannot be read: ${reason}`,
    );
  }
  try {
    if (material.byteLength !== DATA_KEY_BYTES) {
      throw new GatewayError(
        ErrorCode.CONFIGURATION_INVALID,
        `the data key file ${file} (${variable}) must hold exactly ${DATA_KEY_BYTES} random bytes, not ${material.byteLength} (e.g. head -c ${DATA_KEY_BYTES} /dev/urandom > FILE)`,
      );
    }
    return new DataKey(material);
  } finally {
    // Only the derived keys stay in memory.
    material.fill(0);
  }
}
