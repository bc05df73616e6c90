import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/*
 * The same canonical form and digest as #libs/envelope (`sha256Hex(canonicalJson(payload))`), kept
 * here so that the envelope library can depend on the policy without a cycle.
 */

export function canonicalText(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value cannot be represented as canonical JSON');
  return text;
}

/** SHA-256 (lowercase hex) of the RFC 8785 canonical JSON of `value`. */
export function canonicalDigest(value: unknown): string {
  return createHash('sha256').update(canonicalText(value)).digest('hex');
}
