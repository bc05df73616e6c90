import { Inject, Injectable } from '@nestjs/common';
import type { Authority } from '#libs/directory';
import type { Procedure } from '#libs/envelope';
import { NodeIdentity, Clock } from '#libs/node-config';
import {
  evaluate,
  personsIn,
  type Acknowledgement,
  type AuthorityKind as PolicyAuthorityKind,
  type Channel,
  type MessageDeclarations,
  type PolicyDecision,
  type PolicySettings,
} from '#libs/policy';
import { categoriesOf, type JitAction } from '#libs/procedures';
import { scanBody, type PersonIdentifiers } from '#libs/protection-register';
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
}

/** The decisions per recipient, and what the national register said. */
export interface DecisionRound {
  decisions: Map<string, PolicyDecision>;
  /**
   * Registers that could not be consulted. Unless empty, a decision that names persons to an
   * authority of another State is not final: the message waits (held), it is never sent unchecked.
   */
  unavailableRegisters: readonly string[];
  /** Whether the draft names persons (the register is consulted only then). */
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
    const recorded = await this.facts.get(senderId, draft.caseReference);
    // Approvals of JIT actions come from the signed messages of the team, as the procedure holds them.
    const approvals = ((draft.requestState?.actions ?? []) as JitAction[]).map(
      ({ actionId, territoryState, decision }) => ({ actionId, territoryState, decision }),
    );
    const facts =
      approvals.length > 0
        ? { ...recorded, jitActions: [...(recorded.jitActions ?? []), ...approvals] }
        : recorded;
    const persons = personsIn(draft.body).map((person) =>
      identifiersAt(draft.body, person.segments),
    );
    const recipientStates = [
      ...new Set(recipients.flatMap((r) => [r.state, r.id.slice(0, 2).toUpperCase()])),
    ].sort();
    const registered = await this.register.check(persons, {
      purpose,
      requester: senderId,
      caseReference: draft.caseReference,
      recipientStates,
      actor,
    });
    const registerHits = registered.hits.map(({ personIndex, shieldFrom, claimPending }) => ({
      personIndex,
      shieldFrom,
      claimPending,
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
      namesPersons: persons.length > 0,
      registerReferences: registered.hits.flatMap((hit) => hit.references),
      clearedReferences: registered.clearedReferences,
    };
  }
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
