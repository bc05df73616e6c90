import { intersect } from '../context.js';
import { stateCode } from '../persons.js';
import { defineRule, list } from './rule.js';

/**
 * HC-1, onward transfers and evidence exports of received content: the handling conditions it
 * arrived with travel with it. Blocks when the recipient's State is one they exclude.
 */
export const HC1 = defineRule('HC-1', 'onward transfers and evidence exports', (context) => {
  const excluded = new Set(
    (context.input.receivedHandling?.noOnwardTransferTo ?? []).map(stateCode),
  );
  const states = intersect(excluded, context.recipientStates);
  if (states.length === 0) return [];
  return [
    {
      severity: 'block',
      explanation: `the content arrived with "no onward transfer to ${list(states)}"`,
    },
  ];
});
