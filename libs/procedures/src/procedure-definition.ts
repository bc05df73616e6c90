import type { Procedure } from '#libs/kernel';
import type { SchemaClass } from './categories.js';

/**
 * Which side sends a message: in a two-sided procedure the `requesting` or the `requested`
 * authority; in a joint investigation team, any `member`.
 */
export const SENDER_ROLES = ['requesting', 'requested', 'member'] as const;
export type SenderRole = (typeof SENDER_ROLES)[number];

/**
 * Events that are not messages, applied identically on both nodes:
 * - `delivered`: the signed receipt of the opening request (sender) or its issue (receiver);
 * - `deadline-expired`, `deemed-consent`: raised by the deadline engine from the same data;
 * - `close`: a finished case is archived.
 */
export const SYSTEM_EVENTS = ['delivered', 'deadline-expired', 'deemed-consent', 'close'] as const;
export type SystemEvent = (typeof SYSTEM_EVENTS)[number];

export interface StateBase {
  readonly procedure: Procedure;
  readonly status: string;
}

/** Why a transition is refused: a plain explanation and, where one applies, the rule. */
export interface Refusal {
  readonly reason: string;
  readonly rule?: string;
}

/** What a transition may read of the message being applied. */
export interface IncomingMessage<B> {
  /** The sender's authority id; throws VALIDATION_FAILED when the caller did not give it. */
  sender(): string;
  /** The validated body; throws VALIDATION_FAILED when the caller did not give it. */
  body(): B;
}

/**
 * A message type: its body schema, who may send it, the statuses it is accepted in and what it
 * does. Without `to` or `apply`, it leaves the state unchanged (an informational message).
 */
export interface MessageDefinition<S extends StateBase, B extends object> {
  readonly schema: SchemaClass<B>;
  readonly senders: readonly SenderRole[];
  readonly from: readonly S['status'][];
  /** Named when the current status is not in `from`. */
  readonly outOfOrder?: Refusal;
  guard?(state: S, message: IncomingMessage<B>): Refusal | undefined;
  readonly to?: S['status'];
  apply?(state: S, message: IncomingMessage<B>): S;
}

export interface EventDefinition<S extends StateBase> {
  readonly from: readonly S['status'][];
  readonly outOfOrder?: Refusal;
  guard?(state: S): Refusal | undefined;
  readonly to?: S['status'];
  apply?(state: S): S;
}

export type MessageDefinitions<S extends StateBase> = Record<string, MessageDefinition<S, object>>;

export interface ProcedureDefinition<S extends StateBase, M extends MessageDefinitions<S>> {
  readonly procedure: S['procedure'];
  readonly statuses: readonly S['status'][];
  initial(): S;
  readonly messages: M;
  readonly events: Partial<Record<SystemEvent, EventDefinition<S>>>;
}

/** `message<MlaState>()({ schema, ... })` infers the body type from the schema. */
export function messageFor<S extends StateBase>() {
  return <B extends object>(definition: MessageDefinition<S, B>): MessageDefinition<S, B> =>
    definition;
}
