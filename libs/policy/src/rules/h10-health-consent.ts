import type { PersonFacts } from '../facts.js';
import { attachmentField } from '../input.js';
import { defineRule, type RuleHit } from './rule.js';

function consented(
  facts: PersonFacts | undefined,
  purpose: string | undefined,
  reference: string | undefined,
): boolean {
  return (facts?.consents ?? []).some(
    (consent) =>
      consent.category === 'health' &&
      consent.given &&
      consent.withdrawn !== true &&
      purpose !== undefined &&
      consent.purpose === purpose &&
      (consent.reference === undefined || consent.reference === reference),
  );
}

/**
 * H-10, every message. A person's `health` is sent only when the person's facts hold a consent
 * for health data, given and not withdrawn, for the message's permitted purpose (and, when the
 * consent has a reference, the one the body cites). Otherwise the `health` field is removed (it is
 * never a required field); health data the engine cannot locate in a person is blocked.
 */
export const H10 = defineRule('H-10', 'every procedure, message type and channel', (context) => {
  const hits: RuleHit[] = [];
  let located = 0;
  for (const person of context.concerned) {
    const health = person.named?.health;
    if (!person.named || !health) continue;
    located += 1;
    if (consented(person.facts, context.input.purpose, health.consentReference)) continue;
    const path = `${person.named.path}.health`;
    hits.push({
      severity: 'redact',
      explanation: `no consent of ${person.label} to send health data for the purpose "${context.input.purpose ?? '(none)'}" is on record: health data removed`,
      fields: [path],
      redactions: [{ path, action: 'remove' }],
    });
  }
  // A file cannot be redacted in part: a health attachment goes only if every person the message
  // concerns consented to health data for its purpose (and someone is concerned at all).
  for (const attachment of context.input.attachments ?? []) {
    if (attachment.category !== 'health') continue;
    const field = attachmentField(attachment);
    const missing = context.concerned.filter(
      (person) => !consented(person.facts, context.input.purpose, undefined),
    );
    if (context.concerned.length > 0 && missing.length === 0) continue;
    hits.push({
      severity: 'block',
      explanation:
        context.concerned.length === 0
          ? `${field} is declared health data, and the message names no one whose consent could be checked`
          : `${field} is declared health data, and no consent of ${missing.map((p) => p.label).join(', ')} to send health data for the purpose "${context.input.purpose ?? '(none)'}" is on record`,
      fields: [field],
    });
  }
  if (context.categories.has('health') && located === 0) {
    hits.push({
      severity: 'block',
      explanation:
        'the message carries health data the policy cannot attribute to a person, so no consent can be checked',
    });
  }
  return hits;
});
