import { PROCEDURES, type Procedure } from '#libs/kernel';
import { ErrorCode, GatewayError } from '#libs/errors';
import { ASSETS_PROCEDURE, type AssetsState } from './assets/assets.procedure.js';
import { tagsOf, type SchemaClass } from './categories.js';
import { JIT_PROCEDURE, type JitState } from './jit/jit.procedure.js';
import { MLA_PROCEDURE, type MlaState } from './mla/mla.procedure.js';
import {
  NATIONALITY_VERIFICATION_PROCEDURE,
  type NationalityVerificationState,
} from './nationality-verification/nationality-verification.procedure.js';
import type {
  MessageDefinition,
  MessageDefinitions,
  ProcedureDefinition,
  SenderRole,
  StateBase,
} from './procedure-definition.js';

const DEFINITIONS = {
  mla: MLA_PROCEDURE,
  jit: JIT_PROCEDURE,
  'nationality-verification': NATIONALITY_VERIFICATION_PROCEDURE,
  assets: ASSETS_PROCEDURE,
} as const;
type Definitions = typeof DEFINITIONS;

export type ProcedureState = MlaState | JitState | NationalityVerificationState | AssetsState;
export type StateOf<P extends Procedure> = Extract<ProcedureState, { procedure: P }>;
export type StatusOf<P extends Procedure> = StateOf<P>['status'];
export type MessageTypeOf<P extends Procedure> = keyof Definitions[P]['messages'] & string;
export type BodyOf<
  P extends Procedure,
  T extends MessageTypeOf<P>,
> = Definitions[P]['messages'][T] extends { schema: SchemaClass<infer B> } ? B : never;

/** A procedure's definition, seen without its precise types (for the generic engine). */
export type AnyProcedureDefinition = ProcedureDefinition<StateBase, MessageDefinitions<StateBase>>;

export function definitionOf(procedure: Procedure): AnyProcedureDefinition {
  if (!(PROCEDURES as readonly string[]).includes(procedure)) {
    throw new GatewayError(ErrorCode.VALIDATION_FAILED, `${String(procedure)} is not a procedure`, [
      { field: 'procedure' },
    ]);
  }
  return DEFINITIONS[procedure];
}

export function messageDefinition(
  procedure: Procedure,
  messageType: string,
): MessageDefinition<StateBase, object> {
  const definition = definitionOf(procedure);
  const message = Object.hasOwn(definition.messages, messageType)
    ? definition.messages[messageType]
    : undefined;
  if (!message) {
    throw new GatewayError(
      ErrorCode.VALIDATION_FAILED,
      `${procedure} has no message type ${messageType}`,
      [{ field: 'messageType', allowed: Object.keys(definition.messages) }],
    );
  }
  return message;
}

/** The message types of a procedure, in lifecycle order. */
export function messageTypesOf<P extends Procedure>(procedure: P): MessageTypeOf<P>[] {
  return Object.keys(definitionOf(procedure).messages) as MessageTypeOf<P>[];
}

/**
 * Statuses no message and no event leads out of, but the `close` event: the request is settled
 * there (retention counts its periods from them, README "Retention").
 */
export function settledStatusesOf(procedure: Procedure): readonly string[] {
  const definition = definitionOf(procedure);
  const left = new Set<string>([
    ...Object.values(definition.messages).flatMap((m) => m.from),
    ...Object.entries(definition.events)
      .filter(([event]) => event !== 'close')
      .flatMap(([, e]) => e?.from ?? []),
  ]);
  return definition.statuses.filter((status) => !left.has(status));
}

/** The statuses of a procedure, in lifecycle order. */
export function statusesOf<P extends Procedure>(procedure: P): readonly StatusOf<P>[] {
  return definitionOf(procedure).statuses as readonly StatusOf<P>[];
}

/** Which side may send a message type. */
export function senderRolesOf(procedure: Procedure, messageType: string): readonly SenderRole[] {
  return messageDefinition(procedure, messageType).senders;
}

/** The body schema of a message type (for OpenAPI documents, forms...). */
export function schemaOf(procedure: Procedure, messageType: string): SchemaClass {
  return messageDefinition(procedure, messageType).schema;
}

/**
 * Whether a message type's body schema has a field at a dot path (`urgentFreezing`,
 * `urgency.urgent`), walking nested schemas: so that configuration naming a body field (a deadline
 * profile's condition) cannot name one that no body will ever carry.
 */
export function hasBodyField(procedure: Procedure, messageType: string, path: string): boolean {
  let schema: SchemaClass | undefined = schemaOf(procedure, messageType);
  for (const key of path.split('.')) {
    if (schema === undefined) return false;
    const field: { nested?: () => SchemaClass } | undefined = tagsOf(schema).get(key);
    if (field === undefined) return false;
    // A scalar field has no schema: a path that goes on into it finds nothing.
    schema = field.nested?.();
  }
  return true;
}
