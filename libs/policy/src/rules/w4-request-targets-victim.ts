import type { ConcernedPerson } from '../context.js';
import { defineRule, list, type RuleHit } from './rule.js';

/**
 * W-4, requests: warns when the request is directed against a person flagged as a victim: their
 * prosecution or detention is sought (H-7's sources: declared, named as `suspect`, read in the
 * text), or they are its target (declared `targets`, the holder of assets to freeze or seize, "a
 * search of <name>" in what the request seeks).
 */
export const W4 = defineRule('W-4', 'requests', (context) => {
  if (!context.isRequest) return [];
  const against = new Map<ConcernedPerson, string[]>();
  for (const source of [context.measures.prosecutionOrDetention, context.measures.targets]) {
    for (const [person, reasons] of source) {
      against.set(person, [...(against.get(person) ?? []), ...reasons]);
    }
  }
  return [...against]
    .filter(([person]) => person.isVictim)
    .map(([person, reasons]): RuleHit => ({
      severity: 'warn',
      explanation: `the request is directed against ${person.label}, who is flagged as a victim (${list(reasons)})`,
      ...(person.named && { fields: [`${person.named.path}.roles`] }),
    }));
});
