import { defineRule, list, type RuleHit } from './rule.js';

/**
 * H-6, every message. Blocks a message the drafter declares to make assistance, residence or a
 * child's status depend on cooperation with prosecution (`declarations.conditionalOnCooperation`),
 * and a message whose free text the scanner finds doing so (topic `cooperation-conditionality`).
 * Settings cannot express such a condition at all (the configuration guard knows no such field).
 */
export const H6 = defineRule('H-6', 'every procedure, message type and channel', (context) => {
  const hits: RuleHit[] = [];
  const declared = context.input.declarations?.conditionalOnCooperation ?? [];
  if (declared.length > 0) {
    hits.push({
      severity: 'block',
      explanation: `the message makes ${list(declared)} depend on cooperation with prosecution`,
    });
  }
  const found = (context.input.textFindings ?? []).filter(
    (finding) => finding.topic === 'cooperation-conditionality',
  );
  if (found.length > 0) {
    hits.push({
      severity: 'block',
      explanation: `free text makes assistance or residence depend on cooperation (${list(found.map((f) => `"${f.term}"`))})`,
      fields: found.map((finding) => finding.field),
    });
  }
  return hits;
});
