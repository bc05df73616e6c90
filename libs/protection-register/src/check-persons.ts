import type { KeyKind, PersonIdentifiers } from './identifier-keys.js';
import { personHashedKeys } from './keyed-hash.js';
import type { ProtectedPersonsIndex } from './protected-persons-index.js';

/** A person of a message found in the register. */
export interface PersonCheckHit {
  /** The person's position in the list checked (a message body's `persons`, for instance). */
  readonly personIndex: number;
  /** Every State the person is shielded from, over all entries matched: sorted, no duplicates. */
  readonly shieldFrom: readonly string[];
  /** The entries matched, for the register-side audit; never shown to the sender (H-1). */
  readonly entryIds: readonly string[];
  /**
   * The kinds of key that matched. A match on `name` alone (the message gave no date of birth
   * and no document) is weaker than one on `name-dob` or `document`; H-1 applies to both.
   */
  readonly keys: readonly KeyKind[];
}

/**
 * Checks every person named in a message against the register (H-1): the persons that share a
 * key with a register entry, and the States they must be shielded from. A message must not reach
 * any of those States' authorities. Costs one lookup per key of each person.
 */
export function checkPersons(
  index: ProtectedPersonsIndex,
  secret: Uint8Array,
  persons: readonly PersonIdentifiers[],
): PersonCheckHit[] {
  const hits: PersonCheckHit[] = [];
  persons.forEach((person, personIndex) => {
    const shieldFrom = new Set<string>();
    const entryIds = new Set<string>();
    const kinds = new Set<KeyKind>();
    for (const { kind, hash } of personHashedKeys(secret, person)) {
      for (const hit of index.lookup([hash])) {
        kinds.add(kind);
        entryIds.add(hit.entryId);
        for (const state of hit.shieldFrom) shieldFrom.add(state);
      }
    }
    if (entryIds.size > 0) {
      hits.push({
        personIndex,
        shieldFrom: [...shieldFrom].sort(),
        entryIds: [...entryIds].sort(),
        keys: [...kinds],
      });
    }
  });
  return hits;
}
