import { intersect, shieldedStates } from '../context.js';
import { defineRule, list, type RuleHit } from './rule.js';

const BLOCKED = 'Blocked by H-1';

/**
 * H-1, on every channel and in every procedure. Blocks a message to an authority of a State
 * (its `state`, and the State its id names: an embassy counts as its sending State) that is:
 * (b) shielded for a person the message concerns (named, the case's subject, or a register hit),
 *     even when the message carries no asylum data: that the person is named to the State they
 *     fled is "the fact that an application was made";
 * (a) shielded for anyone in the case, when the message carries asylum/protection data, or when
 *     the States to shield a claimant from are unknown and the message leaves the country;
 * (c) shielded for anyone in the case, when its free text or attachments mention asylum.
 * A person is shielded from the States named in the asylum facts or register hits, and from their
 * nationalities and country of origin, once any claim was made. The sender is told only
 * `Blocked by H-1`. Otherwise, a note records the States the handling conditions exclude.
 */
export const H1 = defineRule('H-1', 'every procedure, message type and channel', (context) => {
  const hits: RuleHit[] = [];
  const block = (explanation: string, fields: string[] = []) =>
    hits.push({ severity: 'block', explanation, fields, senderMessage: BLOCKED });
  const recipient = context.recipientStates;

  for (const person of context.concerned) {
    const states = intersect(person.shieldFrom, recipient);
    if (states.length === 0) continue;
    const why = person.hits.length > 0 ? 'a protected-persons register hit' : 'an asylum claim';
    block(
      `${person.label} must be shielded from ${list(states)} (${why}): the message names them to an authority of ${list(states)}`,
      person.named
        ? [person.named.path]
        : [...new Set(person.hits.flatMap((hit) => (hit.field ? [hit.field] : [])))],
    );
  }

  const caseShield = shieldedStates(context.casePersons);
  const caseStates = intersect(caseShield, recipient);
  if (context.categories.has('asylum-protection')) {
    const fields = context.named
      .filter((person) => person.protectionStatus !== undefined)
      .map((person) => `${person.path}.protectionStatus`);
    if (caseStates.length > 0) {
      block(
        `the message carries asylum or protection data to an authority of ${list(caseStates)}, a State a person in the case must be shielded from`,
        fields,
      );
    }
    const claimants = context.concerned.filter((person) => person.hasClaim);
    const unknown = claimants.length === 0 || claimants.some((p) => p.shieldFrom.size === 0);
    if (context.crossBorder && unknown) {
      block(
        'the message carries asylum or protection data abroad, and the States the person must be shielded from are not known (record nationality, country of origin or the States feared)',
        fields,
      );
    }
  }

  const asylumText = (context.input.textFindings ?? []).filter(
    (finding) => (finding.topic ?? 'asylum') === 'asylum',
  );
  if (asylumText.length > 0 && caseStates.length > 0) {
    block(
      `free text mentions asylum or protection (${list(asylumText.map((f) => `"${f.term}"`))}) in a message to an authority of ${list(caseStates)}, a State a person in the case must be shielded from`,
      asylumText.map((finding) => finding.field),
    );
  }

  if (hits.length === 0 && caseShield.size > 0) {
    hits.push({
      severity: 'note',
      explanation: `persons in the case must be shielded from ${list([...caseShield].sort())}: the handling conditions exclude onward transfer to them`,
      senderMessage: 'Handling conditions added: no onward transfer to the listed States',
    });
  }
  return hits;
});
