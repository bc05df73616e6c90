import { intersect } from '../context.js';
import { defineRule, list } from './rule.js';

/**
 * W-6, every message with scanner findings of topic `asylum` (free text, attachments; any UN
 * official language), when the recipient is an origin-country authority: an embassy or consulate,
 * an authority of a nationality or country of origin of a person in the case, or any foreign
 * authority when a person the message names has no known nationality or origin.
 */
export const W6 = defineRule('W-6', 'every message with asylum terms in free text', (context) => {
  const findings = (context.input.textFindings ?? []).filter(
    (finding) => (finding.topic ?? 'asylum') === 'asylum',
  );
  if (findings.length === 0) return [];
  const origins = new Set<string>();
  for (const person of context.casePersons) for (const state of person.origins) origins.add(state);
  const kind = context.input.recipient.kind;
  const originUnknown =
    context.crossBorder &&
    context.concerned.some((person) => person.named !== undefined && person.origins.size === 0);
  const originCountry =
    kind === 'embassy' ||
    kind === 'consulate' ||
    intersect(origins, context.recipientStates).length > 0 ||
    originUnknown;
  if (!originCountry) return [];
  return [
    {
      severity: 'warn',
      explanation: `free text mentions ${list(findings.map((f) => `"${f.term}" (${f.language}, ${f.field})`))} in a message to an origin-country authority`,
      fields: findings.map((finding) => finding.field),
    },
  ];
});
