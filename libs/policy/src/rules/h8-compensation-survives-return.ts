import { defineRule } from './rule.js';

const RETURN_GROUNDS = ['return', 'departure', 'immigration-status'];

/**
 * H-8, every message. Blocks a message that ends a compensation claim on the ground of the
 * person's return, departure or immigration status (`declarations.compensationClaimClosure`):
 * compensation is owed whatever the status and whether or not the victim has returned.
 */
export const H8 = defineRule('H-8', 'every procedure, message type and channel', (context) => {
  const closure = context.input.declarations?.compensationClaimClosure;
  if (!closure || !RETURN_GROUNDS.includes(closure.ground)) return [];
  const person = closure.person === undefined ? undefined : context.resolve(closure.person);
  return [
    {
      severity: 'block',
      explanation: `the message ends the compensation claim${person ? ` of ${person.label}` : ''} on the ground of ${closure.ground}`,
    },
  ];
});
