import { defineRule, type RuleHit } from './rule.js';

/**
 * H-2, every channel. A victim's `lastKnownLocation` is redacted (removed) rather than the message
 * blocked: the field is optional, and the rest of the message may be needed. A victim's identity
 * sent to a `public` recipient is blocked. When the body carries location data the engine cannot
 * attribute to a field it can remove, and the message concerns a victim, it is blocked.
 */
export const H2 = defineRule('H-2', 'every procedure, message type and channel', (context) => {
  const hits: RuleHit[] = [];
  const victims = context.concerned.filter((person) => person.isVictim);
  let locatedFields = 0;
  for (const person of context.concerned) {
    const named = person.named;
    if (named?.lastKnownLocation) locatedFields += 1;
    if (!named || !person.isVictim) continue;
    if (named.lastKnownLocation) {
      const path = `${named.path}.lastKnownLocation`;
      hits.push({
        severity: 'redact',
        explanation: `${person.label} is a victim: their physical location is never sent (removed)`,
        fields: [path],
        redactions: [{ path, action: 'remove' }],
      });
    }
    if (context.input.recipient.kind === 'public' && named.identityFields.length > 0) {
      hits.push({
        severity: 'block',
        explanation: `${person.label} is a victim: their identity is never disclosed publicly`,
        fields: named.identityFields.map((field) => `${named.path}.${field}`),
      });
    }
  }
  if (context.categories.has('location') && locatedFields === 0 && victims.length > 0) {
    hits.push({
      severity: 'block',
      explanation:
        'the message carries location data the policy cannot attribute to a removable field, and it concerns a victim',
    });
  }
  return hits;
});
