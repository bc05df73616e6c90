import type { ControlDocument } from '#libs/envelope';
import { ErrorCode, GatewayError } from '#libs/errors';
import { REGISTER_HASH } from '#libs/protection-register';

/*
 * The national register protocol (README, "The national register"): a node asks the register of
 * its State's asylum authority whether the persons an outgoing message names are protected, with
 * keyed hashes of their identifiers only. Question and answer are control documents, signed and
 * encrypted between two nodes of the same State; nothing of the register leaves the State.
 */

/** Why a register is asked: a message about to be sent (a hit opens a review), or a preview. */
export type CheckPurpose = 'send' | 'explain';

/** What a register is asked: the keyed hashes of each person the message names. */
export interface RegisterQuery {
  readonly purpose: CheckPurpose;
  /** The identifier-key version the hashes were made with (KEY_VERSION). */
  readonly keyVersion: string;
  /** The authority that sends the message (a review and a clearance are per requester and case). */
  readonly requester: string;
  readonly caseReference: string | null;
  /** The States of the message's recipients: what the review shows the asylum authority. */
  readonly recipientStates: readonly string[];
  readonly persons: ReadonlyArray<{ readonly index: number; readonly hashes: readonly string[] }>;
}

/** A person of the query that the register holds, uncleared for this requester and case. */
export interface RegisterCheckHit {
  readonly personIndex: number;
  /** The States the person must be shielded from (H-1), over all entries matched. */
  readonly shieldFrom: readonly string[];
  /** An entry matched records a pending claim (H-4). */
  readonly claimPending: boolean;
  /**
   * The reviews of the entries matched: references only their owner can resolve, and what the
   * sender's audit trail records instead of any reason (domain.md 4, "without revealing").
   */
  readonly references: readonly string[];
}

export interface RegisterAnswer {
  readonly hits: readonly RegisterCheckHit[];
  /** Persons matched whose every hit the owner cleared for this requester and case. */
  readonly cleared: ReadonlyArray<{ readonly personIndex: number; readonly references: string[] }>;
}

export interface RegisterCheckDocument extends ControlDocument, RegisterQuery {
  readonly type: 'register-check';
  readonly queryId: string;
}

export interface RegisterAnswerDocument extends ControlDocument, RegisterAnswer {
  readonly type: 'register-answer';
  readonly queryId: string;
  readonly keyVersion: string;
}

export const REGISTER_CHECK_PATH = '/inbound/v1/register-checks';

/**
 * Bounds of one question. A message whose free text yields more hashes is asked in several
 * (NationalRegister); 8,000 hashes keep a sealed question well under MAX_REGISTER_DOCUMENT_BYTES.
 */
export const REGISTER_QUERY_LIMITS = {
  persons: 500,
  hashesPerPerson: 256,
  hashesPerQuestion: 8_000,
} as const;
const LIMITS = { ...REGISTER_QUERY_LIMITS, states: 64, text: 200 };
const STATE = /^[A-Z]{2}$/;

function refuse(message: string, field: string): never {
  throw new GatewayError(ErrorCode.PAYLOAD_INVALID, message, [{ field }]);
}

/** A query split into questions within the protocol's bounds (persons and hashes per question). */
export function splitQuery(query: RegisterQuery): RegisterQuery[] {
  const parts: RegisterQuery[] = [];
  let persons: Array<RegisterQuery['persons'][number]> = [];
  let hashes = 0;
  for (const person of query.persons) {
    if (
      persons.length === REGISTER_QUERY_LIMITS.persons ||
      hashes + person.hashes.length > REGISTER_QUERY_LIMITS.hashesPerQuestion
    ) {
      parts.push({ ...query, persons });
      persons = [];
      hashes = 0;
    }
    persons.push(person);
    hashes += person.hashes.length;
  }
  parts.push({ ...query, persons });
  return parts;
}

/** Checks a register check opened from a peer: shapes and bounds, before any lookup. */
export function assertRegisterQuery(document: Partial<RegisterCheckDocument>): void {
  const fields = document as Record<string, unknown>;
  const text = (name: string, max: number) =>
    typeof fields[name] === 'string' && fields[name].length <= max;
  if (!text('queryId', 64)) refuse('queryId must be a string', 'queryId');
  if (fields.purpose !== 'send' && fields.purpose !== 'explain') {
    refuse('purpose must be send or explain', 'purpose');
  }
  if (!text('keyVersion', 16)) refuse('keyVersion must be a string', 'keyVersion');
  if (!text('requester', LIMITS.text)) refuse('requester must be an authority id', 'requester');
  if (fields.caseReference !== null && !text('caseReference', LIMITS.text)) {
    refuse('caseReference must be a string or null', 'caseReference');
  }
  const states: unknown = fields.recipientStates;
  if (
    !Array.isArray(states) ||
    states.length > LIMITS.states ||
    !states.every((state) => typeof state === 'string' && STATE.test(state))
  ) {
    refuse('recipientStates must be ISO 3166-1 alpha-2 codes', 'recipientStates');
  }
  const persons: unknown = fields.persons;
  if (!Array.isArray(persons) || persons.length > LIMITS.persons) {
    refuse(`persons must be an array of at most ${LIMITS.persons}`, 'persons');
  }
  persons.forEach((person: unknown, i) => {
    const { index, hashes } = (person ?? {}) as { index?: unknown; hashes?: unknown };
    if (
      !Number.isSafeInteger(index) ||
      !Array.isArray(hashes) ||
      hashes.length > LIMITS.hashesPerPerson ||
      !hashes.every((hash) => typeof hash === 'string' && REGISTER_HASH.test(hash))
    ) {
      refuse('each person is an index and keyed hashes', `persons[${i}]`);
    }
  });
  const hashes = (persons as Array<{ hashes: unknown[] }>).reduce((n, p) => n + p.hashes.length, 0);
  if (hashes > LIMITS.hashesPerQuestion) {
    refuse(`a question holds at most ${LIMITS.hashesPerQuestion} hashes`, 'persons');
  }
}
