import { RETURN_MESSAGE_TYPES } from '../context.js';
import { present, valueAt } from '../persons.js';
import { defineRule, recorded, type RuleHit } from './rule.js';

/** Identity fields removed when a victim is pseudonymised (names become a pseudonym). */
const REMOVED_FIELDS = ['dateOfBirth', 'placeOfBirth', 'documents', 'familyMembers'];

/**
 * W-3, messages that leave the country and name a victim with identity data, unless the person's
 * identity is already pseudonymised or protective measures are on record. Default: pseudonymise
 * (names become `Victim <reference>`; date and place of birth, documents and family members are
 * removed). Revealed instead (a warning a supervisor acknowledges) when the drafter declares the
 * need to know, and when identity is the point of the message (nationality verification).
 */
export const W3 = defineRule('W-3', 'cross-border messages naming a victim', (context) => {
  if (!context.crossBorder) return [];
  const { input } = context;
  const identityIsThePoint =
    RETURN_MESSAGE_TYPES[input.procedure]?.includes(input.messageType) === true;
  const hits: RuleHit[] = [];
  for (const person of context.concerned) {
    const named = person.named;
    if (!named || !person.isVictim || named.identityFields.length === 0) continue;
    if (person.facts?.identityPseudonymised === true) continue;
    if (recorded(person.facts?.identityProtectiveMeasures)) continue;
    const reveal = (input.declarations?.revealIdentity ?? []).find(
      (entry) => context.resolve(entry.person) === person && entry.needToKnow.trim() !== '',
    );
    if (reveal || identityIsThePoint) {
      hits.push({
        severity: 'warn',
        explanation: reveal
          ? `${person.label}'s identity (a victim) is revealed abroad on a need-to-know basis: ${reveal.needToKnow}`
          : `${person.label}'s identity (a victim) is what the message verifies: it leaves the country unprotected`,
        fields: named.identityFields.map((field) => `${named.path}.${field}`),
      });
      continue;
    }
    const raw = named.segments;
    const redactions = [
      { path: `${named.path}.names`, action: 'pseudonymise' as const },
      ...REMOVED_FIELDS.filter((field) => present(valueAt(input.body, [...raw, field]))).map(
        (field) => ({ path: `${named.path}.${field}`, action: 'remove' as const }),
      ),
    ];
    hits.push({
      severity: 'redact',
      explanation: `${person.label}'s identity (a victim) is pseudonymised in a message abroad`,
      fields: redactions.map((redaction) => redaction.path),
      redactions,
    });
  }
  return hits;
});
