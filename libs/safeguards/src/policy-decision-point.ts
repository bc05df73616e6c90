import { Inject, Injectable } from '@nestjs/common';
import type { Authority } from '#libs/directory';
import type { Procedure } from '#libs/envelope';
import { NodeIdentity, Clock } from '#libs/node-config';
import {
  attachmentField,
  evaluate,
  type NamedPerson,
  personsIn,
  type Acknowledgement,
  type PolicyAttachment,
  type AuthorityKind as PolicyAuthorityKind,
  type Channel,
  type MessageDeclarations,
  type PolicyDecision,
  type PolicySettings,
} from '#libs/policy';
import { categoriesOf, type JitAction } from '#libs/procedures';
import { bodyTexts, scanBody, scanText, type PersonIdentifiers } from '#libs/protection-register';
import { CaseFactsRepository } from './case-facts.repository.js';
import type { CheckPurpose } from './register/register-check.js';
import { NationalRegister } from './register/national-register.js';

export const POLICY_SETTINGS = Symbol('POLICY_SETTINGS');

/** Directory kinds in the policy's vocabulary: what the safeguards know of the recipient. */
const POLICY_KIND: Record<Authority['kind'], PolicyAuthorityKind> = {
  'central-authority': 'central-authority',
  prosecutor: 'prosecution',
  'police-liaison': 'police',
  'asset-recovery': 'asset-recovery',
  'immigration-repatriation': 'repatriation',
  'asylum-authority': 'asylum',
  embassy: 'embassy',
};

export interface DraftForDecision {
  channel: Channel;
  procedure: Procedure;
  messageType: string;
  caseReference: string | null;
  body: Record<string, unknown>;
  purpose: string;
  language?: string;
  declarations?: MessageDeclarations;
  acknowledgements?: Array<Omit<Acknowledgement, 'supervisor'>>;
  /** The request's procedure state: for a JIT, the actions and their approvals (H-9). */
  requestState?: Record<string, unknown>;
  /** Onward transfer: the handling conditions the content arrived with (HC-1). */
  receivedHandling?: { noOnwardTransferTo: readonly string[] };
  /** Files attached, with the text extracted from each (when it has any). */
  attachments?: readonly AttachmentForDecision[];
}

/** An attachment as the decision point reads it: what the policy sees, and its text. */
export interface AttachmentForDecision extends PolicyAttachment {
  /** The extracted text (complete or partial); absent for binary or unreadable files. */
  readonly content?: string;
}

/** The decisions per recipient, and what the national register said. */
export interface DecisionRound {
  decisions: Map<string, PolicyDecision>;
  /**
   * Registers that could not be consulted. Unless empty, a decision that names persons to an
   * authority of another State is not final: the message waits (held), it is never sent unchecked.
   */
  unavailableRegisters: readonly string[];
  /**
   * Whether the draft may name persons: structured ones, or free text with words that could be a
   * name (the register is consulted only then).
   */
  namesPersons: boolean;
  /**
   * Review references of the register hits, and of the hits their owner cleared: what the audit
   * trail records instead of any reason (only the asylum authority resolves them).
   */
  registerReferences: readonly string[];
  clearedReferences: readonly string[];
}

/**
 * The policy decision point as the node runs it: the pure engine of `#libs/policy`, fed with the
 * case's facts, the protected-persons register, the free-text scanner and the node's settings.
 * Every outgoing path asks it, once per recipient.
 */
@Injectable()
export class PolicyDecisionPoint {
  constructor(
    private readonly facts: CaseFactsRepository,
    private readonly register: NationalRegister,
    private readonly identity: NodeIdentity,
    private readonly clock: Clock,
    @Inject(POLICY_SETTINGS) private readonly settings: PolicySettings,
  ) {}

  async decide(
    draft: DraftForDecision,
    recipients: readonly Authority[],
    senderId: string,
    actor: string,
    purpose: CheckPurpose,
  ): Promise<DecisionRound> {
    const { facts: recorded, registerVersion } = await this.facts.forDecision(
      senderId,
      draft.caseReference,
    );
    // Approvals of JIT actions come from the signed messages of the team, as the procedure holds them.
    const approvals = ((draft.requestState?.actions ?? []) as JitAction[]).map(
      ({ actionId, territoryState, decision }) => ({ actionId, territoryState, decision }),
    );
    const facts =
      approvals.length > 0
        ? { ...recorded, jitActions: [...(recorded.jitActions ?? []), ...approvals] }
        : recorded;
    const named = personsIn(draft.body);
    const persons = named.map((person) => identifiersAt(draft.body, person.segments));
    // Persons named in free text, where any run of words may be a name: the body's strings and
    // each attachment's text (their hits sit at positions past the persons, which the engine
    // applies fail-closed, H-1). A structured (JSON) attachment's persons are checked as the
    // body's are, and its other strings as free text.
    const texts = freeTexts(draft.body, named, '');
    for (const attachment of draft.attachments ?? []) {
      const field = attachmentField(attachment);
      const document = structuredContent(attachment);
      if (document) {
        const inDocument = personsIn(document);
        for (const person of inDocument) persons.push(identifiersAt(document, person.segments));
        texts.push(...freeTexts(document, inDocument, field));
      } else if (attachment.content !== undefined) {
        texts.push({ field, text: attachment.content });
      }
    }
    const recipientStates = [
      ...new Set(recipients.flatMap((r) => [r.state, r.id.slice(0, 2).toUpperCase()])),
    ].sort();
    const registered = await this.register.check(
      persons,
      {
        purpose,
        requester: senderId,
        caseReference: draft.caseReference,
        recipientStates,
        actor,
        registerVersion,
      },
      texts.map(({ text }) => text),
    );
    const registerHits = registered.hits.map(({ personIndex, shieldFrom, claimPending }) => ({
      personIndex,
      shieldFrom,
      claimPending,
      ...(personIndex >= persons.length && { field: texts[personIndex - persons.length].field }),
    }));
    // The topic says which rules read a finding; where it is lets H-7 and W-4 see whom it names.
    const textFindings = scanBody(draft.body).map(
      ({ field, language, term, topic, index, match }) => ({
        field,
        language,
        term,
        topic,
        index,
        match,
      }),
    );
    // Each attachment's text through the same scanner, its findings named by the attachment.
    for (const attachment of draft.attachments ?? []) {
      if (attachment.content === undefined) continue;
      const field = attachmentField(attachment);
      for (const { language, term, topic, index, match } of scanText(attachment.content)) {
        textFindings.push({ field, language, term, topic, index, match });
      }
    }
    const attachments = (draft.attachments ?? []).map(
      ({ position, name, mediaType, category, text, sha256 }) => ({
        position,
        name,
        mediaType,
        category,
        text,
        sha256,
      }),
    );
    const categories = categoriesOf(draft.procedure, draft.messageType, draft.body);
    const own = this.identity.hostedAuthority(senderId);
    const sender = { authorityId: own.id, state: own.state, kind: POLICY_KIND[own.kind] };
    const decisions = new Map<string, PolicyDecision>();
    for (const recipient of recipients) {
      decisions.set(
        recipient.id,
        evaluate({
          channel: draft.channel,
          procedure: draft.procedure,
          messageType: draft.messageType,
          sender,
          recipient: {
            authorityId: recipient.id,
            state: recipient.state,
            kind: POLICY_KIND[recipient.kind],
            acceptedLanguages: recipient.competence.languages,
          },
          body: draft.body,
          categories,
          facts,
          registerHits,
          textFindings,
          attachments,
          declarations: draft.declarations,
          acknowledgements: (draft.acknowledgements ?? []).map((a) => ({
            ...a,
            supervisor: actor,
          })),
          purpose: draft.purpose,
          language: draft.language,
          receivedHandling: draft.receivedHandling,
          settings: this.settings,
          now: this.clock.now(),
        }),
      );
    }
    return {
      decisions,
      unavailableRegisters: registered.unavailable,
      namesPersons: registered.asked,
      registerReferences: registered.hits.flatMap((hit) => hit.references),
      clearedReferences: registered.clearedReferences,
    };
  }
}

/** A JSON attachment's document, when it is one (persons in it are checked like the body's). */
function structuredContent(attachment: AttachmentForDecision): Record<string, unknown> | undefined {
  if (attachment.content === undefined || attachment.text !== 'complete') return undefined;
  const essence = attachment.mediaType.split(';')[0].trim().toLowerCase();
  if (essence !== 'application/json' && !essence.endsWith('+json')) return undefined;
  try {
    const document: unknown = JSON.parse(attachment.content);
    return typeof document === 'object' && document !== null && !Array.isArray(document)
      ? (document as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The strings of a body (or a JSON attachment) but the names of the persons it structures, which
 * are checked as persons: read as free text, a person's given names alone would meet an entry of
 * someone else. Fields are prefixed with `prefix` (an attachment's field).
 */
function freeTexts(
  body: Record<string, unknown>,
  persons: readonly NamedPerson[],
  prefix: string,
): Array<{ field: string; text: string }> {
  const names = persons.map(
    ({ segments }) =>
      `$${segments.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('')}.names`,
  );
  const within = (field: string, path: string) =>
    field === path || field.startsWith(`${path}.`) || field.startsWith(`${path}[`);
  return bodyTexts(body)
    .filter(({ field }) => !names.some((path) => within(field, path)))
    .map(({ field, text }) => ({
      field: prefix === '' ? field : `${prefix}${field.slice(1)}`,
      text,
    }));
}

/** The identifiers of a person named in a body, read at the path the policy found them. */
export function identifiersAt(
  body: Record<string, unknown>,
  segments: readonly (string | number)[],
): PersonIdentifiers {
  let node: unknown = body;
  for (const segment of segments)
    node = (node as Record<string | number, unknown> | undefined)?.[segment];
  const person = (node ?? {}) as {
    names?: PersonIdentifiers['names'];
    dateOfBirth?: string;
    documents?: PersonIdentifiers['documents'];
  };
  return {
    names: person.names ?? {},
    dateOfBirth: person.dateOfBirth,
    documents: (person.documents ?? []).filter((d) => typeof d?.issuingState === 'string'),
  };
}
