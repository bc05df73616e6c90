import { intersect } from '../context.js';
import { defineRule, recorded } from './rule.js';

/**
 * W-7, every message about a person (the message names one, or the case has a subject) to an
 * embassy or consulate, or to an authority of a nationality or country of origin of a person in
 * the case, while asylum flags exist anywhere in the case (a claim in the facts, a protection
 * status in the body, a register hit, or the case's flag). With the asylum authority's sign-off
 * on record: a note. Without: a warning whose acknowledgement must cite that sign-off.
 */
export const W7 = defineRule('W-7', 'contacts with embassies and origin countries', (context) => {
  if (context.concerned.length === 0) return [];
  const { input } = context;
  const flags =
    input.facts.asylumFlagsInCase === true || context.casePersons.some((p) => p.hasClaim);
  if (!flags) return [];
  const origins = new Set<string>();
  for (const person of context.casePersons) for (const state of person.origins) origins.add(state);
  const embassy = input.recipient.kind === 'embassy' || input.recipient.kind === 'consulate';
  const originStates = intersect(origins, context.recipientStates);
  if (!embassy && originStates.length === 0) return [];
  const contact = embassy
    ? `an ${input.recipient.kind}`
    : `an authority of ${originStates.join(', ')} (an origin country)`;
  if (recorded(input.facts.asylumAuthoritySignOff)) {
    return [
      {
        severity: 'note',
        explanation: `contact with ${contact} while asylum flags exist in the case: signed off by the asylum authority (${input.facts.asylumAuthoritySignOff})`,
      },
    ];
  }
  return [
    {
      severity: 'warn',
      explanation: `contact with ${contact} about a person while asylum flags exist in the case: the asylum authority's sign-off is required`,
    },
  ];
});
