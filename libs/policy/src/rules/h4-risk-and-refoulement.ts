import { defineRule, type RuleHit } from './rule.js';

const DAY_MS = 86_400_000;

function endOf(until: string): number {
  // A bare date runs to the end of that day (UTC).
  return /^\d{4}-\d{2}-\d{2}$/.test(until)
    ? Date.parse(`${until}T23:59:59.999Z`)
    : Date.parse(until);
}

/**
 * H-4, messages that serve a return. Blocks when no returnee is identified (nothing can be
 * checked), and for each returnee: no concluded risk assessment (absent, not done, outcome
 * `risk` or `inconclusive`, or older than the settings allow), an open non-refoulement risk, a
 * pending claim (`pending`, `rejected-appealable`, or a register hit marked `claimPending`),
 * international protection granted (a standing refoulement risk), or a reflection period running.
 * A register hit without `claimPending` records only the States to shield the person from: H-1
 * blocks any message to them, and a return elsewhere is decided on the facts.
 */
export const H4 = defineRule('H-4', 'messages that serve a return', (context) => {
  if (context.returnees === null) return [];
  const hits: RuleHit[] = [];
  const block = (explanation: string) => hits.push({ severity: 'block', explanation });
  if (context.returnees.length === 0) {
    block('the message serves a return, but the case names no returnee whose facts can be checked');
  }
  const maxAge = context.settings.riskAssessmentMaxAgeDays;
  for (const person of context.returnees) {
    const facts = person.facts;
    const assessment = facts?.riskAssessment;
    if (assessment?.done !== true) {
      block(`no individual risk assessment of ${person.label} is on record`);
    } else if (assessment.outcome !== 'no-risk') {
      block(
        `the risk assessment of ${person.label} concluded ${assessment.outcome ?? 'nothing'}: no return`,
      );
    } else if (maxAge !== undefined) {
      const at = assessment.at === undefined ? Number.NaN : Date.parse(assessment.at);
      if (Number.isNaN(at) || context.now.getTime() - at > maxAge * DAY_MS) {
        block(
          `the risk assessment of ${person.label} is older than ${maxAge} days (or undated): the settings require a recent one`,
        );
      }
    }
    if (facts?.nonRefoulementRiskOpen === true) {
      block(`a non-refoulement risk is open for ${person.label}`);
    }
    const status = facts?.asylum?.status;
    if (status === 'pending' || status === 'rejected-appealable') {
      block(`${person.label} has an asylum claim pending (${status})`);
    } else if (status === 'granted' || person.named?.protectionStatus !== undefined) {
      block(
        `${person.label} has international protection or a claim on record: return would be refoulement`,
      );
    }
    if (person.hits.some((hit) => hit.claimPending === true)) {
      block(`${person.label} is in the protected-persons register with a claim pending`);
    }
    const until = facts?.reflectionPeriod?.until;
    if (until !== undefined && !(endOf(until) < context.now.getTime())) {
      block(`the reflection period of ${person.label} runs until ${until}`);
    }
  }
  return hits;
});
