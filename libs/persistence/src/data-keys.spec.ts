import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, GatewayError } from '#libs/errors';
import { DataKey } from './column-cipher.js';
import { readDataKeys } from './data-keys.js';

const dir = mkdtempSync(join(tmpdir(), 'data-keys-'));

function keyFile(name: string, content: Buffer | string): string {
  const file = join(dir, name);
  writeFileSync(file, content, { mode: 0o600 });
  return file;
}

function refusal(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('the keys were read');
}

describe('data keys from files', () => {
  const current = randomBytes(32);
  const old = randomBytes(32);
  const currentFile = keyFile('current.key', current);
  const oldFile = keyFile('old.key', old);

  it('reads the current key and the retired ones', () => {
    const cipher = readDataKeys({
      GATEWAY_DATA_KEY_FILE: currentFile,
      GATEWAY_DATA_KEY_RETIRED_FILES: ` ${oldFile} ,`,
    });
    expect(cipher.currentKeyId).toBe(new DataKey(current).id);
    expect(cipher.keyIds).toEqual([new DataKey(current).id, new DataKey(old).id]);
  });

  it('needs GATEWAY_DATA_KEY_FILE', () => {
    const error = refusal(() => readDataKeys({}));
    expect(error.code).toBe(ErrorCode.CONFIGURATION_INVALID);
    expect(error.message).toMatch(/^set GATEWAY_DATA_KEY_FILE/);
  });

  it('names a missing file and its variable', () => {
    const missing = join(dir, 'missing.key');
    const error = refusal(() =>
      readDataKeys({ GATEWAY_DATA_KEY_FILE: currentFile, GATEWAY_DATA_KEY_RETIRED_FILES: missing }),
    );
    expect(error.code).toBe(ErrorCode.CONFIGURATION_INVALID);
    expect(error.message).toBe(
      `the data key file ${missing} (GATEWAY_DATA_KEY_RETIRED_FILES) cannot be read: ENOENT`,
    );
  });

  it('refuses a file that is not exactly 32 bytes, without showing what it holds', () => {
    const textKey = current.toString('hex');
    for (const [name, content] of [
      ['short.key', randomBytes(31)],
      ['long.key', randomBytes(33)],
      ['hex.key', textKey],
      ['empty.key', ''],
    ] as const) {
      const file = keyFile(name, content);
      const error = refusal(() => readDataKeys({ GATEWAY_DATA_KEY_FILE: file }));
      expect(error.code).toBe(ErrorCode.CONFIGURATION_INVALID);
      expect(error.message).toContain(`the data key file ${file} (GATEWAY_DATA_KEY_FILE)`);
      expect(error.message).toContain(`exactly 32 random bytes, not ${Buffer.byteLength(content)}`);
      expect(error.message).not.toContain(textKey);
    }
  });
});
