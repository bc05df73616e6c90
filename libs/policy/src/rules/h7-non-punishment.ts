import { defineRule, type RuleHit } from './rule.js';

/**
 * H-7, every message. Blocks when a person the message concerns is an identified victim (role
 * `victim` or the victim flag) with status offences (a `criminalRecord` entry marked
 * `statusOffence`, or the facts), and the message seeks their prosecution or detention: they are
 * named as `suspect`, or declared in `prosecutionOrDetentionOf`. Status offences of an identified
 * victim are presumed a consequence of the trafficking: no fact overrides it.
 */
export const H7 = defineRule('H-7', 'every procedure; requests above all (MLA)', (context) => {
  const hits: RuleHit[] = [];
  const sought = context.input.declarations?.prosecutionOrDetentionOf ?? [];
  const prosecuted = new Set(sought.map((ref) => context.resolve(ref)));
  for (const person of context.concerned) {
    if (!person.isVictim) continue;
    const offences = person.named?.statusOffences === true || person.facts?.statusOffences === true;
    if (!offences) continue;
    const suspect = person.named?.roles.includes('suspect') === true;
    if (!suspect && !prosecuted.has(person)) continue;
    hits.push({
      severity: 'block',
      explanation: `${person.label} is an identified victim with status offences, and the message seeks their prosecution or detention`,
      fields: person.named
        ? [`${person.named.path}.criminalRecord`, `${person.named.path}.roles`]
        : [],
    });
  }
  return hits;
});
