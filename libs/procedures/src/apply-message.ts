import type { Procedure } from '#libs/kernel';
import { ErrorCode, GatewayError } from '#libs/errors';
import { definitionOf, messageDefinition, type MessageTypeOf, type StateOf } from './catalogue.js';
import type {
  IncomingMessage,
  Refusal,
  SenderRole,
  StateBase,
  SystemEvent,
} from './procedure-definition.js';
import { validateMessageBody } from './validate-message-body.js';

export interface MessageInput<P extends Procedure = Procedure> {
  procedure: P;
  /** The case's current state; omitted for the message that opens a case. */
  state?: StateOf<P>;
  messageType: string;
  /** The side that sends this message in this case. */
  senderRole: SenderRole;
  /** The sender's authority id: required where membership or territory matters (JIT). */
  sender?: string;
  /** The message body: validated when given; required where a transition reads it. */
  body?: unknown;
}

export interface EventInput<P extends Procedure = Procedure> {
  procedure: P;
  state: StateOf<P>;
  event: SystemEvent;
}

/** The state a case of this procedure starts in (`draft`). */
export function initialState<P extends Procedure>(procedure: P): StateOf<P> {
  return definitionOf(procedure).initial() as StateOf<P>;
}

function refuse(
  procedure: Procedure,
  status: string,
  action: { messageType: string } | { event: SystemEvent },
  refusal: Refusal,
  extra: Record<string, unknown> = {},
): GatewayError {
  const what = 'messageType' in action ? action.messageType : `event ${action.event}`;
  const why = refusal.rule ? `${refusal.rule}: ${refusal.reason}` : refusal.reason;
  return new GatewayError(
    ErrorCode.PROCEDURE_TRANSITION_REFUSED,
    `${procedure}: ${what} cannot be applied in state ${status} — ${why}`,
    [
      {
        procedure,
        state: status,
        ...action,
        ...(refusal.rule ? { rule: refusal.rule } : {}),
        reason: refusal.reason,
        ...extra,
      },
    ],
  );
}

function stateFor(procedure: Procedure, state: StateBase | undefined): StateBase {
  const current = state ?? definitionOf(procedure).initial();
  if (current.procedure !== procedure) {
    throw new GatewayError(
      ErrorCode.PROCEDURE_TRANSITION_REFUSED,
      `${procedure}: the state given belongs to a ${current.procedure} case`,
      [{ procedure, state: current.status, field: 'state' }],
    );
  }
  return current;
}

function outOfOrder(from: readonly string[], refusal: Refusal | undefined): Refusal {
  const expected = from.length > 0 ? `expected ${from.join(' or ')}` : 'never accepted';
  return refusal ? { ...refusal, reason: `${refusal.reason} (${expected})` } : { reason: expected };
}

/**
 * Applies a message to a case and returns its next state, or throws PROCEDURE_TRANSITION_REFUSED
 * naming the procedure, the state, the message type and the rule where one applies. Pure: the
 * sending and the receiving node apply the same messages and reach the same state.
 */
export function applyMessage<P extends Procedure>(input: MessageInput<P>): StateOf<P> {
  const { procedure, messageType, senderRole } = input;
  const message = messageDefinition(procedure, messageType);
  const state = stateFor(procedure, input.state);
  const action = { messageType };

  if (!message.senders.includes(senderRole)) {
    throw refuse(
      procedure,
      state.status,
      action,
      { reason: `sent by the ${message.senders.join(' or ')} side, not by the ${senderRole} side` },
      { senderRole },
    );
  }
  if (!message.from.includes(state.status)) {
    throw refuse(procedure, state.status, action, outOfOrder(message.from, message.outOfOrder));
  }

  const body =
    input.body === undefined ? undefined : validateMessageBody(procedure, messageType, input.body);
  const incoming: IncomingMessage<object> = {
    sender: () => {
      if (input.sender) return input.sender;
      throw new GatewayError(
        ErrorCode.VALIDATION_FAILED,
        `${procedure}: applying ${messageType} needs the sender's authority id`,
        [{ field: 'sender' }],
      );
    },
    body: () => {
      if (body) return body;
      throw new GatewayError(
        ErrorCode.VALIDATION_FAILED,
        `${procedure}: applying ${messageType} needs its body`,
        [{ field: 'body' }],
      );
    },
  };

  const refusal = message.guard?.(state, incoming);
  if (refusal) throw refuse(procedure, state.status, action, refusal);
  if (message.apply) return message.apply(state, incoming) as StateOf<P>;
  return (message.to ? { ...state, status: message.to } : state) as StateOf<P>;
}

/** Applies a system event (receipt, deadline engine, archival) to a case. */
export function applySystemEvent<P extends Procedure>(input: EventInput<P>): StateOf<P> {
  const { procedure, event } = input;
  const state = stateFor(procedure, input.state);
  const definition = definitionOf(procedure).events[event];
  if (!definition) {
    throw refuse(
      procedure,
      state.status,
      { event },
      { reason: `${procedure} has no ${event} event` },
    );
  }
  if (!definition.from.includes(state.status)) {
    throw refuse(
      procedure,
      state.status,
      { event },
      outOfOrder(definition.from, definition.outOfOrder),
    );
  }
  const refusal = definition.guard?.(state);
  if (refusal) throw refuse(procedure, state.status, { event }, refusal);
  if (definition.apply) return definition.apply(state) as StateOf<P>;
  return (definition.to ? { ...state, status: definition.to } : state) as StateOf<P>;
}

/** Thrown by `body()` while listing next types: past this point, the body decides. */
class BodyDecides extends Error {}
/** Thrown by `sender()` while listing next types for an unnamed authority. */
class SenderUnknown extends Error {}

/**
 * The message types a side (and, where membership matters, its authority) may send next: those
 * applyMessage accepts in this state with some valid body. Guards run as applyMessage runs them;
 * where a guard reaches for the body, the body decides, so guards check the state and the sender
 * before reading it. Without `sender`, a type whose guard checks membership is
 * not listed: it cannot be shown to be accepted.
 */
export function nextMessageTypes<P extends Procedure>(
  procedure: P,
  state: StateOf<P> | undefined,
  senderRole: SenderRole,
  sender?: string,
): MessageTypeOf<P>[] {
  const current = stateFor(procedure, state);
  const incoming: IncomingMessage<object> = {
    sender: () => {
      if (sender) return sender;
      throw new SenderUnknown();
    },
    body: () => {
      throw new BodyDecides();
    },
  };
  const { messages } = definitionOf(procedure);
  return Object.entries(messages)
    .filter(([, message]) => {
      if (!message.senders.includes(senderRole) || !message.from.includes(current.status)) {
        return false;
      }
      try {
        return message.guard?.(current, incoming) === undefined;
      } catch (error) {
        if (error instanceof BodyDecides) return true;
        if (error instanceof SenderUnknown) return false;
        throw error;
      }
    })
    .map(([type]) => type as MessageTypeOf<P>);
}
