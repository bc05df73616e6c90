import { defineRule, type RuleHit } from './rule.js';

/**
 * W-1, messages that serve a return: warns for each returnee whose own wish to return is not on
 * record (`returnVoluntary` true). Unknown is treated as non-voluntary.
 */
export const W1 = defineRule('W-1', 'messages that serve a return', (context) =>
  (context.returnees ?? [])
    .filter((person) => person.facts?.returnVoluntary !== true)
    .map((person): RuleHit => ({
      severity: 'warn',
      explanation: `the return of ${person.label} is not recorded as voluntary`,
    })),
);
