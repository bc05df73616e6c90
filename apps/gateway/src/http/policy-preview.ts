import type { AuditTrail } from '#libs/audit';
import type { SubmissionPreview } from '#libs/messaging';
import { explain, policyError } from '#libs/policy';
import type { OfficerContext } from './access/decorators.js';

/** What a sender may be told of a decision per recipient: for H-1, the rule and nothing more. */
export interface RecipientPreview {
  recipient: string;
  outcome: string;
  rules: unknown[];
  redactions: Array<{ path: string; ruleId: string; action: string }>;
  noOnwardTransferTo: readonly string[];
  explanation: string;
  /**
   * Registers of the State that could not be consulted: a message naming persons to another State
   * would be held until they answer (empty when the decision is final).
   */
  awaitingChecks: string[];
}

/**
 * Answers a preview (explain) the way sending would decide, and audits it like a decision: asking
 * is traced, or names could be tried against the register unseen.
 */
export async function answerPreview(
  preview: SubmissionPreview,
  officer: OfficerContext,
  audit: AuditTrail,
): Promise<RecipientPreview[]> {
  const { addressed, round, caseReference, channel } = preview;
  await audit.record({
    event: 'policy.explained',
    actor: officer.actor,
    correlationId: officer.correlationId,
    details: {
      procedure: preview.procedure,
      messageType: preview.messageType,
      channel,
      caseReference,
      awaitingChecks: round.unavailableRegisters,
      decisions: addressed.map((recipient) => {
        const decision = round.decisions.get(recipient.id)!;
        return {
          recipient: recipient.id,
          decisionId: decision.decisionId,
          outcome: decision.outcome,
          rules: decision.findings.map((f) => f.ruleId),
        };
      }),
    },
  });
  const awaiting = round.namesPersons ? [...round.unavailableRegisters] : [];
  return addressed.map((recipient) => {
    const decision = round.decisions.get(recipient.id)!;
    const error = policyError(decision);
    return {
      recipient: recipient.id,
      outcome: decision.outcome,
      rules: error ? error.details : [],
      redactions: decision.redactions.map((r) => ({
        path: r.path,
        ruleId: r.ruleId,
        action: r.action,
      })),
      noOnwardTransferTo: decision.requiredHandling.noOnwardTransferTo,
      explanation: explain(decision, 'sender'),
      awaitingChecks: awaiting,
    };
  });
}
