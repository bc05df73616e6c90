import type { Procedure } from '#libs/kernel';

// A type-only import: the deadline domain shares the procedure names, not the envelope's code.
export const DEADLINE_PROCEDURES = [
  'mla',
  'jit',
  'nationality-verification',
  'assets',
] as const satisfies readonly Procedure[];

export const DURATION_UNITS = ['hours', 'calendar-days', 'working-days'] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number];

export interface Duration {
  readonly amount: number;
  readonly unit: DurationUnit;
}

/**
 * Reminders are alerts for people, counted back from the due instant. Working days are left out
 * on purpose: "2 working days before the end of a working day" has no obvious instant.
 */
export const REMINDER_UNITS = ['hours', 'calendar-days'] as const satisfies readonly DurationUnit[];
export type ReminderUnit = (typeof REMINDER_UNITS)[number];

export interface ReminderOffset {
  readonly amount: number;
  readonly unit: ReminderUnit;
}

/**
 * - escalate: the case goes to a supervisor of the executing side.
 * - negative-evidence: both sides receive a signed record that the deadline passed unanswered
 *   (like an e-CODEX watchdog turning a missing evidence into a negative one).
 * - deemed-consent: the agreement treats silence as consent. It never bypasses a safeguard: the
 *   return it leads to still passes the policy decision point (H-1, H-3, H-4, H-5).
 */
export const EXPIRY_ACTIONS = ['escalate', 'negative-evidence', 'deemed-consent'] as const;
export type ExpiryAction = (typeof EXPIRY_ACTIONS)[number];

/**
 * - time-limit: someone must act before the due instant (answer, recognise, execute).
 * - minimum-period: a protection that must run at least until the due instant (reflection
 *   period, residence permit); it is never "met", it runs out, and while it runs H-4 applies.
 */
export const DEADLINE_KINDS = ['time-limit', 'minimum-period'] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];

export interface ExtensionRule {
  readonly maxTimes: number;
  readonly amount: number;
  readonly unit: DurationUnit;
  /** Always true: every instrument that allows an extension asks for reasons. */
  readonly reasonRequired: true;
}

/** A value a condition compares a body field with. */
export type ConditionValue = string | number | boolean;

/**
 * When a profile applies: a field of a message of the request compared with a value. The message
 * is the latest of type `message` in the request (the current one when it is of that type), so a
 * clock started by a later message (an execution clock started by the recognition) still follows
 * the text that set its terms (the freezing certificate, Reg. (EU) 2018/1805 art. 9). A field that
 * is absent never `equals` anything and always `notEquals`.
 */
export type ProfileCondition = {
  /** The message type whose body decides; the profile's start event when not given. */
  readonly message: string;
  /** A dot path into that body (`urgentFreezing`, `urgency.urgent`). */
  readonly field: string;
} & ({ readonly equals: ConditionValue } | { readonly notEquals: ConditionValue });

export interface DeadlineProfile {
  readonly id: string;
  readonly kind: DeadlineKind;
  readonly procedure: (typeof DEADLINE_PROCEDURES)[number];
  readonly instrument: string;
  /** The legal citation, e.g. "Reg. (EU) 2018/1805 art. 9(3)". */
  readonly source: string;
  /** The figure is marked *(check)* in the domain reference: not verified against the official text. */
  readonly check: boolean;
  /**
   * The figure is a service level the State configures ("as soon as possible", "without undue
   * delay"), not a legal time limit: it must be labelled as such wherever it is shown.
   */
  readonly serviceLevel: boolean;
  /** The message type whose arrival starts the clock. */
  readonly startEvent: string;
  /** The clock starts only where this holds; without it, on every start event. */
  readonly when?: ProfileCondition;
  readonly duration: Duration;
  /**
   * The start event may carry a due date that prevails over `duration`: the requesting State's
   * suggested deadline (UNTOC 18(24)) or a JIT agreement's end date. `duration` is the default.
   */
  readonly useSuggestedDeadline: boolean;
  readonly pauseOn: readonly string[];
  readonly resumeOn: readonly string[];
  /** Message types that answer the deadline: the clock is met when one of them is sent. */
  readonly metBy: readonly string[];
  /** Message types that extend the clock under `extension` (e.g. a JIT agreement's extension), with their reasons. */
  readonly extendOn: readonly string[];
  readonly extension?: ExtensionRule;
  readonly reminders: readonly ReminderOffset[];
  readonly onExpiry: readonly ExpiryAction[];
  readonly notes?: string;
}
