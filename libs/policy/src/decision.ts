import type { Acknowledgement } from './input.js';

export const OUTCOMES = ['allow', 'allow-with-redactions', 'warn', 'block'] as const;
export type PolicyOutcome = (typeof OUTCOMES)[number];

export type FindingSeverity = 'block' | 'warn' | 'redact' | 'note';

export interface PolicyFinding {
  /** A rule of domain.md section 4 (`H-1`...`W-11`, `HC-1`) or a settings rule (`X-...`). */
  readonly ruleId: string;
  readonly severity: FindingSeverity;
  readonly legalBasis: readonly string[];
  /** For the legal officer and the audit trail: may name persons and reasons. Internal only. */
  readonly explanation: string;
  /** What the sender may be told. For H-1 exactly `Blocked by H-1`, never why. */
  readonly senderMessage: string;
  /** Body paths concerned (internal, like the explanation). */
  readonly fields?: readonly string[];
  /** The supervisor's acknowledgement that lifted this warning. */
  readonly acknowledgement?: Acknowledgement;
}

export type RedactionAction = 'remove' | 'pseudonymise';

export interface Redaction {
  /** A body path: `body.persons.0.lastKnownLocation`. */
  readonly path: string;
  readonly ruleId: string;
  readonly action: RedactionAction;
}

export interface RequiredHandling {
  /** States the content must never reach (handling conditions): the sender adds them. */
  readonly noOnwardTransferTo: readonly string[];
}

export interface PolicyDecision {
  readonly decisionId: string;
  readonly decidedAt: string;
  readonly outcome: PolicyOutcome;
  readonly findings: readonly PolicyFinding[];
  readonly redactions: readonly Redaction[];
  readonly requiredHandling: RequiredHandling;
  /** Warnings still waiting for a supervisor's acknowledgement. */
  readonly pendingAcknowledgements: readonly string[];
  /** The acknowledgements that lifted warnings, recorded for the audit trail. */
  readonly acknowledgements: readonly Acknowledgement[];
  /** The body with the redactions applied: what may be sealed. Absent when blocked. */
  readonly approvedBody?: Readonly<Record<string, unknown>>;
  /** The digest of the settings in force (audit). */
  readonly settingsDigest: string | null;
}
