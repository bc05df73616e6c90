import { asStrings } from '../persons.js';
import { defineRule, type RuleHit } from './rule.js';
import type { ConcernedPerson } from '../context.js';

const HEARINGS = ['taking-evidence', 'video-link-hearing', 'voluntary-appearance'];

/**
 * W-5, MLA requests seeking a hearing (taking evidence, video link, voluntary appearance) that
 * name a victim, and any message declaring whom it asks to interview (`interviews`): warns for
 * each victim whose testimony is already on record (person facts, or the case's testimony flag).
 */
export const W5 = defineRule('W-5', 'MLA requests for hearings; declared interviews', (context) => {
  const { input } = context;
  const interviewed = new Set<ConcernedPerson>();
  const seeksHearing =
    input.procedure === 'mla' &&
    input.messageType === 'request' &&
    asStrings(input.body.assistanceSought).some((type) => HEARINGS.includes(type));
  if (seeksHearing) {
    for (const person of context.concerned) {
      if (person.isVictim && person.named?.kind === 'person') interviewed.add(person);
    }
  }
  for (const ref of input.declarations?.interviews ?? []) {
    const person = context.resolve(ref);
    if (person?.isVictim) interviewed.add(person);
  }
  const hits: RuleHit[] = [];
  for (const person of interviewed) {
    const testimony = person.facts?.testimonyExists ?? input.facts.testimonyExists === true;
    if (!testimony) continue;
    hits.push({
      severity: 'warn',
      explanation: `${person.label} (a victim) has already testified: the request would interview them again`,
      fields: ['body.assistanceSought'],
    });
  }
  return hits;
});
