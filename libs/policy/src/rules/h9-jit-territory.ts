import { asString, stateCode } from '../persons.js';
import { defineRule } from './rule.js';

/**
 * H-9, JIT operational messages about an action on a State's territory (`territoryState`). The
 * sender's own territory needs no approval; any other needs an action of that id, on that
 * territory, approved by that State's member (case facts `jitActions`). Otherwise: block.
 */
export const H9 = defineRule('H-9', 'JIT operational messages naming a territory', (context) => {
  const { input } = context;
  if (input.procedure !== 'jit' || input.messageType !== 'operational-message') return [];
  const territory = asString(input.body.territoryState);
  if (territory === undefined || stateCode(territory) === stateCode(input.sender.state)) return [];
  const actionId = asString(input.body.actionId);
  const approved = (input.facts.jitActions ?? []).some(
    (action) =>
      action.actionId === actionId &&
      stateCode(action.territoryState) === stateCode(territory) &&
      action.decision === 'approved',
  );
  if (approved) return [];
  return [
    {
      severity: 'block',
      explanation: `action ${actionId ?? '(none named)'} on the territory of ${territory} has not been approved by its member`,
      fields: ['body.territoryState', 'body.actionId'],
    },
  ];
});
