import { intersect, shieldedStates, type RuleContext } from '../context.js';
import { attachmentField } from '../input.js';
import { defineRule, list, type RuleHit } from './rule.js';

/**
 * Why the recipient may be the country of origin of someone the message concerns, or `undefined`
 * when the case facts rule it out. Any foreign authority may be: the case facts must establish
 * who is concerned (they list persons, and every person of the case and of the message has a
 * known nationality or country of origin) and that none of them is of that State or shielded
 * from it. The officer who writes "she applied for asylum" in a summary of facts often names no
 * one: the text alone must not reach the State she fled.
 */
function possibleOrigin(context: RuleContext): string | undefined {
  const { input, recipientStates } = context;
  if (input.recipient.kind === 'embassy' || input.recipient.kind === 'consulate') {
    return `an ${input.recipient.kind} (an authority of the State it represents)`;
  }
  const origins = new Set<string>();
  for (const person of context.casePersons) for (const state of person.origins) origins.add(state);
  const ofOrigin = intersect(origins, recipientStates);
  if (ofOrigin.length > 0)
    return `an authority of ${list(ofOrigin)}, a State of origin in the case`;
  const shielded = intersect(shieldedStates(context.casePersons), recipientStates);
  if (shielded.length > 0) {
    return `an authority of ${list(shielded)}, a State a person in the case is shielded from`;
  }
  if (!context.crossBorder) return undefined;
  const listed = (input.facts.persons ?? []).length > 0;
  const unknown = context.casePersons.filter((person) => person.origins.size === 0);
  if (!listed) {
    return 'a foreign authority, and the case facts list no one whose origin would rule it out';
  }
  if (unknown.length > 0) {
    return `a foreign authority, and the origin of ${list(unknown.map((p) => p.label))} is not known`;
  }
  return undefined;
}

/**
 * W-6, every message with scanner findings of topic `asylum` (free text, attachments; any UN
 * official language), when the recipient may be an authority of a country of origin: an embassy
 * or consulate, an authority of a nationality or country of origin of a person in the case or of
 * a State someone is shielded from, or any foreign authority unless the case facts establish who
 * is concerned and that none of them is of that State (see `possibleOrigin`).
 */
export const W6 = defineRule('W-6', 'every message with asylum terms in free text', (context) => {
  const findings = (context.input.textFindings ?? []).filter(
    (finding) => (finding.topic ?? 'asylum') === 'asylum',
  );
  // A file whose text was not read whole cannot be cleared of what the rest of it says.
  const unscanned = (context.input.attachments ?? []).filter(
    (attachment) => attachment.text === 'partial' || attachment.text === 'unreadable',
  );
  if (findings.length === 0 && unscanned.length === 0) return [];
  const why = possibleOrigin(context);
  if (why === undefined) return [];
  const hits: RuleHit[] = [];
  if (findings.length > 0) {
    hits.push({
      severity: 'warn',
      explanation: `free text mentions ${list(findings.map((f) => `"${f.term}" (${f.language}, ${f.field})`))} in a message to ${why}`,
      fields: [...new Set(findings.map((finding) => finding.field))],
    });
  }
  if (unscanned.length > 0) {
    const fields = unscanned.map(attachmentField);
    hits.push({
      severity: 'warn',
      explanation: `the text of ${list(fields)} could not be read whole, so it cannot be cleared of asylum or protection terms, in a message to ${why}`,
      fields,
    });
  }
  return hits;
});
