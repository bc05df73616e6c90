import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { ErrorCode, GatewayError } from '#libs/errors';
import { ColumnCipher, DataKey } from './column-cipher.js';

const MESSAGE_ID = '0190f0a8-8d2e-7c1a-9b1e-3f1f6a2b4c5d';
const OTHER_MESSAGE_ID = '0190f0a8-8d2e-7c1a-9b1e-3f1f6a2b4c5e';
const payload = {
  messageId: MESSAGE_ID,
  body: { persons: [{ names: { familyNames: ['Okoro'], givenNames: ['Sunday'] } }] },
};

function refusal(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('the value opened');
}

describe('column cipher', () => {
  const material = randomBytes(32);
  const cipher = new ColumnCipher(new DataKey(material));

  it('opens what it sealed, and the ciphertext holds no plaintext', () => {
    const sealed = cipher.seal('messages.payload', MESSAGE_ID, payload);
    expect(cipher.open('messages.payload', MESSAGE_ID, sealed)).toEqual(payload);
    expect(sealed.toString('latin1')).not.toContain('Okoro');
    expect(sealed.byteLength).toBe(JSON.stringify(payload).length + 1 + 8 + 12 + 16);
  });

  it('seals the same value differently each time (random IV)', () => {
    const a = cipher.seal('messages.payload', MESSAGE_ID, payload);
    const b = cipher.seal('messages.payload', MESSAGE_ID, payload);
    expect(a.equals(b)).toBe(false);
    expect(a.subarray(0, 9).equals(b.subarray(0, 9))).toBe(true);
  });

  it('names its key in the header: version 1, then the key id', () => {
    const sealed = cipher.seal('requests.state', 'r-1', { status: 'submitted' });
    expect(sealed.readUInt8(0)).toBe(1);
    expect(sealed.subarray(1, 9).toString('hex')).toBe(cipher.currentKeyId);
    expect(cipher.currentKeyId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('refuses any altered byte: header, IV, ciphertext or tag', () => {
    const sealed = cipher.seal('messages.payload', MESSAGE_ID, payload);
    for (const index of [0, 1, 9, 21, Math.floor(sealed.byteLength / 2), sealed.byteLength - 1]) {
      const tampered = Buffer.from(sealed);
      tampered[index] ^= 0x01;
      const error = refusal(() => cipher.open('messages.payload', MESSAGE_ID, tampered));
      expect(error.code).toBe(ErrorCode.STORED_DATA_UNREADABLE);
    }
    const truncated = sealed.subarray(0, sealed.byteLength - 1);
    expect(refusal(() => cipher.open('messages.payload', MESSAGE_ID, truncated)).message).toMatch(
      /altered/,
    );
    expect(
      refusal(() => cipher.open('messages.payload', MESSAGE_ID, sealed.subarray(0, 20))).message,
    ).toMatch(/not in the sealed format/);
  });

  it('refuses a ciphertext moved to another row or another column', () => {
    const sealed = cipher.seal('messages.payload', MESSAGE_ID, payload);
    const otherRow = refusal(() => cipher.open('messages.payload', OTHER_MESSAGE_ID, sealed));
    expect(otherRow.code).toBe(ErrorCode.STORED_DATA_UNREADABLE);
    expect(otherRow.message).toBe(
      `messages.payload of ${OTHER_MESSAGE_ID} cannot be opened: it was altered, or it belongs to another row or column`,
    );
    const state = cipher.seal('requests.state', MESSAGE_ID, { status: 'submitted' });
    expect(refusal(() => cipher.open('requests.suggested_deadline', MESSAGE_ID, state)).code).toBe(
      ErrorCode.STORED_DATA_UNREADABLE,
    );
  });

  it('refuses a ciphertext sealed with a key it does not hold, naming only the key id', () => {
    const stranger = new ColumnCipher(new DataKey(randomBytes(32)));
    const sealed = stranger.seal('case_facts.facts', 'FR-2026-1', { persons: [] });
    const error = refusal(() => cipher.open('case_facts.facts', 'FR-2026-1', sealed));
    expect(error.code).toBe(ErrorCode.STORED_DATA_UNREADABLE);
    expect(error.message).toContain(`data key ${stranger.currentKeyId}`);
    expect(error.message).toContain('GATEWAY_DATA_KEY_RETIRED_FILES');
  });

  it('rotates: new values are sealed with the current key, old ones open with the retired key', () => {
    const oldKey = new DataKey(material);
    const newKey = new DataKey(randomBytes(32));
    const before = cipher.seal('deadlines.clock', 'd-1', { status: 'running' });
    const rotated = new ColumnCipher(newKey, [oldKey]);
    expect(rotated.currentKeyId).toBe(newKey.id);
    expect(rotated.keyIds).toEqual([newKey.id, oldKey.id]);
    expect(rotated.open('deadlines.clock', 'd-1', before)).toEqual({ status: 'running' });
    const after = rotated.seal('deadlines.clock', 'd-1', { status: 'met' });
    expect(after.subarray(1, 9).toString('hex')).toBe(newKey.id);
    // Before the rotation reaches a process, it cannot read what the rotated ones write.
    expect(refusal(() => cipher.open('deadlines.clock', 'd-1', after)).code).toBe(
      ErrorCode.STORED_DATA_UNREADABLE,
    );
  });

  it('derives the same key id from the same key material, and never shows the material', () => {
    expect(new DataKey(material).id).toBe(cipher.currentKeyId);
    const shown = [
      JSON.stringify(cipher),
      inspect(cipher, { depth: 10, showHidden: true }),
      JSON.stringify(new DataKey(material)),
      inspect(new DataKey(material), { depth: 10, showHidden: true }),
    ].join('\n');
    for (const encoding of ['hex', 'base64', 'base64url', 'latin1'] as const) {
      expect(shown).not.toContain(material.toString(encoding));
    }
    expect(shown).toContain(cipher.currentKeyId);
  });

  it('accepts only 32-byte keys', () => {
    for (const length of [0, 16, 31, 33, 64]) {
      expect(refusal(() => new DataKey(randomBytes(length))).code).toBe(
        ErrorCode.CONFIGURATION_INVALID,
      );
    }
  });
});
