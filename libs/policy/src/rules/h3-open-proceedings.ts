import { defineRule, recorded, type RuleHit } from './rule.js';

const PROTECTED_ROLES = ['victim', 'witness', 'claimant'];

/**
 * H-3, messages that serve a return (nationality-verification verification and travel-document
 * requests, and any message declared to serve a return). Blocks while the returnee takes part as
 * victim, witness or claimant in open proceedings, unless the person's own request to be released
 * and their lawyer's sign-off are both recorded. An open compensation claim the proceedings list
 * does not cover counts as open compensation proceedings.
 */
export const H3 = defineRule('H-3', 'messages that serve a return', (context) => {
  const hits: RuleHit[] = [];
  for (const person of context.returnees ?? []) {
    const proceedings = person.facts?.openProceedings ?? [];
    for (const proceeding of proceedings) {
      if (proceeding.open === false || !PROTECTED_ROLES.includes(proceeding.role)) continue;
      if (recorded(proceeding.releaseRequestedByPerson) && recorded(proceeding.lawyerSignOff)) {
        continue;
      }
      hits.push({
        severity: 'block',
        explanation: `${person.label} is ${proceeding.role} in open ${proceeding.kind} proceedings, and no release on their own recorded request, signed off by their lawyer, is on record`,
      });
    }
    const compensationListed = proceedings.some((p) => p.kind === 'compensation');
    if (person.facts?.compensationClaimOpen === true && !compensationListed) {
      hits.push({
        severity: 'block',
        explanation: `${person.label} has an open compensation claim (no release on their own request, signed off by their lawyer, is on record)`,
      });
    }
  }
  return hits;
});
