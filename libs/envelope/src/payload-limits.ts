import { ErrorCode, GatewayError } from '#libs/errors';

/**
 * Bounds on the shape of a decrypted payload, checked before class-validator walks it: the
 * validator and the transformer recurse (a deeply nested document overflows the stack) and their
 * cost grows with the number of values. The bounds sit far above any valid message: bodies nest
 * six levels deep, their longest text field is 20,000 characters and their lists hold at most a
 * few hundred items.
 */
export const PAYLOAD_LIMITS = {
  /** Containers (objects and arrays) nested in one another, the payload itself being level 1. */
  maxDepth: 32,
  /** Characters in any string, member names included. */
  maxStringLength: 100_000,
  /** Object members and array items, counted over the whole payload. */
  maxEntries: 50_000,
} as const;

// class-transformer reads a plain object's `constructor` as its class (a member of that name that is
// not a function makes it throw a TypeError) and `__proto__` as the object's prototype.
const RESERVED_NAMES: ReadonlySet<string> = new Set(['constructor', '__proto__']);

// A NUL character or an unpaired surrogate (reachable through \u escapes in valid UTF-8 JSON)
// cannot be stored in PostgreSQL text or jsonb.
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Checks a parsed JSON document against PAYLOAD_LIMITS without recursion, failing with
 * PAYLOAD_TOO_DEEP, PAYLOAD_LIMIT_EXCEEDED or PAYLOAD_INVALID (unstorable characters, reserved
 * member names).
 */
export function checkPayloadLimits(document: unknown): void {
  const pending: Array<{ value: unknown; depth: number }> = [{ value: document, depth: 0 }];
  let entries = 0;
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value, depth } = next;
    if (typeof value === 'string') {
      checkString(value);
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth + 1 > PAYLOAD_LIMITS.maxDepth) {
      throw new GatewayError(
        ErrorCode.PAYLOAD_TOO_DEEP,
        `the sealed payload nests more than ${PAYLOAD_LIMITS.maxDepth} levels deep`,
        [{ limit: PAYLOAD_LIMITS.maxDepth }],
      );
    }
    const record = value as Record<string, unknown>;
    const names = Array.isArray(value) ? undefined : Object.keys(record);
    entries += names ? names.length : (value as unknown[]).length;
    if (entries > PAYLOAD_LIMITS.maxEntries) {
      throw new GatewayError(
        ErrorCode.PAYLOAD_LIMIT_EXCEEDED,
        `the sealed payload holds more than ${PAYLOAD_LIMITS.maxEntries} members and items`,
        [{ limit: PAYLOAD_LIMITS.maxEntries }],
      );
    }
    for (const name of names ?? []) {
      checkString(name);
      if (RESERVED_NAMES.has(name)) {
        throw new GatewayError(
          ErrorCode.PAYLOAD_INVALID,
          `the sealed payload uses the reserved member name ${name}`,
        );
      }
    }
    const members = names ? names.map((name) => record[name]) : (value as unknown[]);
    for (const member of members) pending.push({ value: member, depth: depth + 1 });
  }
}

function checkString(text: string): void {
  if (text.length > PAYLOAD_LIMITS.maxStringLength) {
    throw new GatewayError(
      ErrorCode.PAYLOAD_LIMIT_EXCEEDED,
      `the sealed payload holds a string longer than ${PAYLOAD_LIMITS.maxStringLength} characters`,
      [{ limit: PAYLOAD_LIMITS.maxStringLength }],
    );
  }
  if (text.includes('\u0000') || UNPAIRED_SURROGATE.test(text)) {
    throw new GatewayError(
      ErrorCode.PAYLOAD_INVALID,
      'the sealed payload holds a NUL character or an unpaired surrogate',
    );
  }
}
