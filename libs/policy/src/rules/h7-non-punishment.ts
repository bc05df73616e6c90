import { defineRule, list, type RuleHit } from './rule.js';

/**
 * H-7, every message. Blocks when a person the message concerns is an identified victim (role
 * `victim` or the victim flag) with status offences (a `criminalRecord` entry marked
 * `statusOffence`, or the facts), and the message seeks their prosecution or detention: declared
 * (`prosecutionOrDetentionOf`), named as `suspect`, or read in what the request seeks ("the arrest
 * of <name>", inference.ts). Status offences of an identified victim are presumed a consequence of
 * the trafficking: no fact overrides it.
 */
export const H7 = defineRule('H-7', 'every procedure; requests above all (MLA)', (context) => {
  const hits: RuleHit[] = [];
  for (const [person, reasons] of context.measures.prosecutionOrDetention) {
    if (!person.isVictim) continue;
    const offences = person.named?.statusOffences === true || person.facts?.statusOffences === true;
    if (!offences) continue;
    hits.push({
      severity: 'block',
      explanation: `${person.label} is an identified victim with status offences, and the message seeks their prosecution or detention (${list(reasons)})`,
      fields: person.named
        ? [`${person.named.path}.criminalRecord`, `${person.named.path}.roles`]
        : [],
    });
  }
  return hits;
});
