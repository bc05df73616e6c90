import type { Redaction } from './decision.js';
import { asRecord, asString } from './persons.js';

function segmentsOf(path: string): (string | number)[] {
  const parts = path.split('.');
  if (parts[0] !== 'body') throw new TypeError(`a redaction path starts at body (${path})`);
  return parts.slice(1).map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function pseudonymFor(person: Record<string, unknown> | undefined, position: string | number) {
  const reference = asString(person?.reference);
  return `Victim ${reference ?? (typeof position === 'number' ? position + 1 : position)}`;
}

/**
 * The body with the redactions applied, on a deep copy: `remove` deletes the field,
 * `pseudonymise` replaces a person's names by `{ aliases: ["Victim <reference>"] }`.
 */
export function applyRedactions(
  body: Readonly<Record<string, unknown>>,
  redactions: readonly Redaction[],
): Record<string, unknown> {
  const copy = structuredClone(body) as Record<string, unknown>;
  for (const redaction of redactions) {
    const segments = segmentsOf(redaction.path);
    const field = segments[segments.length - 1];
    let parent: unknown = copy;
    for (const segment of segments.slice(0, -1)) {
      parent = (parent as Record<string | number, unknown> | undefined)?.[segment];
    }
    const holder = asRecord(parent);
    if (!holder || !(String(field) in holder)) continue;
    if (redaction.action === 'remove') {
      delete holder[String(field)];
    } else {
      const position = segments.length >= 2 ? segments[segments.length - 2] : 0;
      holder[String(field)] = { aliases: [pseudonymFor(holder, position)] };
    }
  }
  return copy;
}
