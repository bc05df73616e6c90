import { ErrorCode, GatewayError } from '#libs/errors';
import type { PolicyDecision } from '#libs/policy';

/** A warning waiting for a supervisor, as the supervisors' list shows it. */
export interface SupervisedWarning {
  ruleId: string;
  legalBasis: string[];
  /** What the rule found: the explanation (for the sender's authority, never a register hit's). */
  text: string;
}

/** A supervisor's justification of one warning (W-7 also takes the asylum authority's sign-off). */
export interface WarningJustification {
  ruleId: string;
  justification: string;
  asylumAuthoritySignOff?: string;
}

/**
 * What a supervisor signs off besides warnings: a caseworker's refusal of a request (domain.md
 * section 1). Listed with the warnings under this id, and answered like them with a written note.
 */
export const SIGN_OFF = 'SIGN-OFF';

/** The refusals of a request a supervisor signs off, per procedure (libs/procedures). */
const REFUSALS: Readonly<Record<string, readonly string[]>> = {
  mla: ['refusal'],
  assets: ['refusal'],
};

/** Whether a message refuses a request: sent only once a supervisor signs it off. */
export function isRefusal(procedure: string, messageType: string): boolean {
  return REFUSALS[procedure]?.includes(messageType) ?? false;
}

/** The sign-off a caseworker's refusal waits for, as the supervisors' list shows it. */
export function signOffOf(procedure: string): SupervisedWarning {
  return {
    ruleId: SIGN_OFF,
    legalBasis:
      procedure === 'mla'
        ? ['UNTOC 18(21)', 'UNTOC 18(23)', 'domain.md section 1']
        : ['UNTOC 13(7)', 'UNTOC 18(21)', 'domain.md section 1'],
    text: 'A refusal of a request is sent once a supervisor signs it off, with the grounds and reasons it gives.',
  };
}

/** Longest justification or reason kept: a paragraph or a few, not a document. */
export const MAX_SUPERVISOR_TEXT = 4000;

/**
 * Whether a refused submission goes to a supervisor: every decision that refused it waits for
 * acknowledgements only. A single hard block anywhere, and it is a block, not a question for a
 * supervisor (hard blocks have no override, domain.md section 4).
 */
export function awaitsSupervisor(refusals: readonly PolicyDecision[]): boolean {
  return (
    refusals.length > 0 &&
    refusals.every(
      (decision) => decision.outcome === 'warn' && decision.pendingAcknowledgements.length > 0,
    )
  );
}

/**
 * The warnings waiting, once each across the recipients' decisions, in the order they were found:
 * rule id, legal bases and the explanation. `conceal` names rules whose explanation would reveal a
 * register hit: for those the sender's message stands instead (as in the audit trail).
 */
export function waitingWarnings(
  refusals: readonly PolicyDecision[],
  conceal: ReadonlySet<string> = new Set(),
): SupervisedWarning[] {
  const warnings: SupervisedWarning[] = [];
  for (const decision of refusals) {
    for (const finding of decision.findings) {
      if (finding.severity !== 'warn' || finding.acknowledgement) continue;
      if (!decision.pendingAcknowledgements.includes(finding.ruleId)) continue;
      if (warnings.some((w) => w.ruleId === finding.ruleId)) continue;
      warnings.push({
        ruleId: finding.ruleId,
        legalBasis: [...finding.legalBasis],
        text: conceal.has(finding.ruleId) ? finding.senderMessage : finding.explanation,
      });
    }
  }
  return warnings;
}

const blank = (text: unknown) => typeof text !== 'string' || text.trim().length === 0;

/**
 * A supervisor's acknowledgement answers every warning waiting, each once, with a written
 * justification; a rule that is not waiting is refused rather than silently kept.
 */
export function checkJustifications(
  waiting: readonly string[],
  offered: readonly WarningJustification[],
): WarningJustification[] {
  const seen = new Set<string>();
  for (const [index, item] of offered.entries()) {
    if (!waiting.includes(item.ruleId)) {
      throw new GatewayError(
        ErrorCode.VALIDATION_FAILED,
        `${item.ruleId} is not a warning of this submission (waiting: ${waiting.join(', ')})`,
        [{ field: `acknowledgements.${index}.ruleId`, rule: item.ruleId }],
      );
    }
    if (seen.has(item.ruleId)) {
      throw new GatewayError(ErrorCode.VALIDATION_FAILED, `${item.ruleId} is acknowledged twice`, [
        { field: `acknowledgements.${index}.ruleId`, rule: item.ruleId },
      ]);
    }
    seen.add(item.ruleId);
    if (blank(item.justification) || item.justification.length > MAX_SUPERVISOR_TEXT) {
      throw new GatewayError(
        ErrorCode.VALIDATION_FAILED,
        `${item.ruleId} needs a written justification (1 to ${MAX_SUPERVISOR_TEXT} characters, domain.md section 4)`,
        [{ field: `acknowledgements.${index}.justification`, rule: item.ruleId }],
      );
    }
  }
  const missing = waiting.filter((ruleId) => !seen.has(ruleId));
  if (missing.length > 0) {
    throw new GatewayError(
      ErrorCode.VALIDATION_FAILED,
      `every warning needs a written justification: ${missing.join(', ')} has none`,
      missing.map((rule) => ({ field: 'acknowledgements', rule })),
    );
  }
  return offered.map(({ ruleId, justification, asylumAuthoritySignOff }) => ({
    ruleId,
    justification: justification.trim(),
    ...(!blank(asylumAuthoritySignOff) && {
      asylumAuthoritySignOff: asylumAuthoritySignOff!.trim(),
    }),
  }));
}

/** A decline says why, to the submitter. */
export function checkReason(reason: unknown): string {
  if (blank(reason) || (reason as string).length > MAX_SUPERVISOR_TEXT) {
    throw new GatewayError(
      ErrorCode.VALIDATION_FAILED,
      `a decline gives a reason (1 to ${MAX_SUPERVISOR_TEXT} characters)`,
      [{ field: 'reason' }],
    );
  }
  return (reason as string).trim();
}

/** Separation of duties: nobody decides a submission of their own. */
export function checkDecider(submittedBy: string, supervisor: string): void {
  if (submittedBy === supervisor) {
    throw new GatewayError(
      ErrorCode.SEPARATION_OF_DUTIES,
      'a supervisor does not acknowledge or decline their own submission: another supervisor of the authority decides it (domain.md section 1)',
      [{ field: 'id' }],
    );
  }
}
