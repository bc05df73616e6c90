import { defineRule, recorded, type RuleHit } from './rule.js';

/**
 * H-5, messages that serve a return. A returnee who is or may be a child (roles `child` or
 * `age-uncertain`, child facts, or a date of birth, even partial, that may be under 18) needs all
 * four records: best-interests determination, a guardian independent of the requesting agency,
 * the child's views, a family or care assessment. Any missing: block, naming what is missing.
 */
export const H5 = defineRule('H-5', 'messages that serve a return', (context) => {
  const hits: RuleHit[] = [];
  for (const person of context.returnees ?? []) {
    if (!person.mayBeChild) continue;
    const child = person.facts?.child;
    const missing: string[] = [];
    if (!recorded(child?.bestInterestsDetermination)) missing.push('best-interests determination');
    if (child?.guardian?.independentOfRequestingAgency !== true) {
      missing.push('a guardian independent of the requesting agency');
    }
    if (!recorded(child?.viewsRecorded)) missing.push("a record of the child's views");
    if (!recorded(child?.familyAssessment)) missing.push('a family or care assessment');
    if (missing.length > 0) {
      hits.push({
        severity: 'block',
        explanation: `${person.label} is or may be a child; missing: ${missing.join('; ')}`,
      });
    }
  }
  return hits;
});
