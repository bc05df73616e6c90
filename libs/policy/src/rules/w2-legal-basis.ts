import { asString, present } from '../persons.js';
import { defineRule } from './rule.js';

/**
 * W-2, requests (MLA request, asset requests, verification and travel-document requests, JIT
 * proposal and action-approval request, anything sent as a new request): warns when neither the
 * body (`legalBasis`, `agreementId`) nor the case (`legalBasisRecorded`, `agreementId`) records a
 * legal basis or agreement.
 */
export const W2 = defineRule('W-2', 'requests', (context) => {
  if (!context.isRequest) return [];
  const { body, facts } = context.input;
  const recorded =
    present(body.legalBasis) ||
    asString(body.agreementId) !== undefined ||
    facts.legalBasisRecorded === true ||
    asString(facts.agreementId) !== undefined;
  if (recorded) return [];
  return [
    {
      severity: 'warn',
      explanation:
        'no legal basis (treaty, UNTOC 18(7), reciprocity) or agreement is recorded for the request',
      fields: ['body.legalBasis'],
    },
  ];
});
