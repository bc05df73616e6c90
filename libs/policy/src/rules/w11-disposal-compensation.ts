import { asArray, asRecord } from '../persons.js';
import { defineRule } from './rule.js';

const FOR_VICTIMS = ['victim-compensation', 'victims-fund'];

/**
 * W-11, asset disposals: warns when the disposal says victim compensation was not considered, or
 * when a victim's compensation claim is open in the case and nothing is allocated to victims.
 */
export const W11 = defineRule('W-11', 'asset disposals', (context) => {
  const { input } = context;
  if (input.procedure !== 'assets' || input.messageType !== 'disposal') return [];
  if (input.body.victimCompensationConsidered !== true) {
    return [
      {
        severity: 'warn',
        explanation: 'the disposal does not consider victim compensation',
        fields: ['body.victimCompensationConsidered', 'body.justification'],
      },
    ];
  }
  const claimOpen =
    input.facts.compensationClaimOpen === true ||
    context.casePersons.some((person) => person.facts?.compensationClaimOpen === true);
  const toVictims = asArray(input.body.allocations).some((allocation) =>
    FOR_VICTIMS.includes(String(asRecord(allocation)?.recipient)),
  );
  if (!claimOpen || toVictims) return [];
  return [
    {
      severity: 'warn',
      explanation:
        "a victim's compensation claim is open, and the disposal allocates nothing to victim compensation or a victims' fund",
      fields: ['body.allocations'],
    },
  ];
});
