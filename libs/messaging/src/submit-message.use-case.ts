import { Inject, Injectable, Logger } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { inScope, OutOfScopeError, type AccessScope } from '#libs/access';
import { AuditTrail, type AuditRecord } from '#libs/audit';
import {
  CaseRepository,
  DeadlineTimers,
  ProcedureTracker,
  type TrackedMessage,
  type TrackingResult,
} from '#libs/cases';
import { AuthorityDirectory, type Authority } from '#libs/directory';
import {
  sealEnvelope,
  sha256Hex,
  type AttachmentDigest,
  type SealingKeys,
  type EnvelopePayload,
  type HandlingConditions,
  type Procedure,
} from '#libs/envelope';
import { ErrorCode, GatewayError, type ErrorDetail } from '#libs/errors';
import { Clock, NODE_CONFIG, NodeIdentity, type NodeConfig } from '#libs/node-config';
import type { Db, JoinedWrite } from '#libs/persistence';
import {
  authorisePayload,
  policyError,
  withRequiredHandling,
  type Acknowledgement,
  type Channel,
  type MessageDeclarations,
  type PolicyDecision,
} from '#libs/policy';
import { validateMessageBody } from '#libs/procedures';
import { PolicyDecisionPoint, type CheckPurpose, type DecisionRound } from '#libs/safeguards';
import {
  OutboundAttachments,
  type AttachmentRef,
  type ResolvedAttachment,
} from './attachments/outbound-attachments.js';
import { DeliveryQueue } from './delivery-queue.js';
import {
  HeldSubmissionsRepository,
  type HeldSubmissionView,
} from './held-submissions.repository.js';
import {
  IdempotencyKeysRepository,
  isIdempotencyConflict,
  type Idempotency,
} from './idempotency-keys.repository.js';
import { MessageRepository } from './message.repository.js';
import { SupervisedSubmissionsRepository } from './supervised-submissions.repository.js';
import {
  awaitsSupervisor,
  isRefusal,
  SIGN_OFF,
  signOffOf,
  waitingWarnings,
} from './supervision.js';

export interface MessageDraft {
  procedure: Procedure;
  messageType: string;
  /** The request this message belongs to; omitted for the message that opens a request. */
  requestId?: string;
  /** Omitted on a follow-up: the request's other parties (every other JIT member: fan-out). */
  recipients?: string[];
  caseReference?: string | null;
  inReplyTo?: string | null;
  /** Deadline profiles the opening message starts; the procedure's defaults otherwise. */
  deadlineProfiles?: string[];
  handling: HandlingConditions;
  body: Record<string, unknown>;
  /** Uploads of the sender's authority that travel with the message, sealed per recipient. */
  attachments?: AttachmentRef[];
  /** Attachments described but not carried (an onward transfer names what it received). */
  describedAttachments?: AttachmentDigest[];
  /** ISO 639-1 code of the language the message is written in: recorded, and checked by W-12. */
  language?: string;
  /** What the drafter declares about the message (returns, targets, interviews...), for the safeguards. */
  declarations?: MessageDeclarations;
  /** A supervisor's written justification for each warning: audited, and travels nowhere. */
  acknowledgements?: Array<Omit<Acknowledgement, 'supervisor'>>;
  /** Set when the message passes on content received from another authority. */
  onwardTransferOf?: { messageId: string; handling: HandlingConditions };
}

export interface SubmissionContext {
  actor: string;
  correlationId: string;
  /** What the acting user may see and act on; its authority is the sender. */
  scope: AccessScope;
  /** Only a supervisor lifts a policy warning (domain.md section 4). */
  mayAcknowledgeWarnings: boolean;
  /**
   * The supervisor whose acknowledgements the draft carries, when they decide a submission that
   * waited for them: the message stays the submitter's (`actor`), the acknowledgements are theirs.
   */
  acknowledgedBy?: string;
}

export interface SubmissionAccepted {
  requestId: string;
  requestStatus: string;
  status: 'queued';
  createdAt: string;
  messages: Array<{
    messageId: string;
    recipient: string;
    envelopeSha256: string;
    policy: string;
    redacted: string[];
  }>;
  /** JIT members the safeguards left out of this message, and the rule (for H-1, nothing more). */
  withheld: Array<{ recipient: string; code: string; rules: string[]; message: string }>;
}

/**
 * A submission that names persons to an authority of another State while a register of the State
 * could not be consulted: stored, never sent unchecked, and released or blocked once the register
 * answers (GET /api/v1/held-submissions/{holdId}).
 */
export interface SubmissionHeld extends HeldSubmissionView {
  requestId: string | null;
  messages: [];
  withheld: SubmissionAccepted['withheld'];
}

export interface SubmissionOptions {
  /** The held submission being released: marked released in the storing transaction. */
  release?: { holdId: string };
  /** A client's Idempotency-Key: a retry gets the first answer, recorded with the submission. */
  idempotency?: Idempotency;
  /**
   * The submission awaiting a supervisor being acknowledged: marked acknowledged in the storing
   * transaction (on the condition that it still waits), and never kept for a supervisor again.
   */
  review?: {
    id: string;
    supervisor: string;
    justifications: Array<Record<string, unknown>>;
    /** A caseworker's refusal of a request, signed off by the supervisor. */
    signedOff?: boolean;
  };
}

/** The answer an Idempotency-Key keeps for a submission that went to a supervisor: the refusal. */
interface RefusalAnswer {
  awaitingSupervisor: { code: ErrorCode; message: string; details: ErrorDetail[] };
}

/** What the policy decision point decided for a draft, before anything is stored. */
export interface SubmissionPreview {
  procedure: Procedure;
  messageType: string;
  channel: Channel;
  caseReference: string | null;
  /** Every recipient addressed, decided or not. */
  addressed: Authority[];
  round: DecisionRound;
  /** The uploads the draft attaches, resolved and decided on. */
  attachments: ResolvedAttachment[];
}

/** One recipient's copy, sealed before anything is stored. */
interface SealedCopy {
  recipient: Authority;
  decision: PolicyDecision;
  payload: EnvelopePayload;
  armored: string;
}

/**
 * Accepts a message for sending. All or nothing: the request's procedure state and deadline clocks
 * move (or the message is refused), the message is sealed for each recipient, and messages,
 * envelopes, submission-acceptance evidences and audit entries are stored (one transaction, or one
 * statement for a new request with nothing else to record). Then deliveries are
 * enqueued and deadline timers scheduled; what is lost there, the reconcilers re-create.
 */
@Injectable()
export class SubmitMessage {
  private readonly logger = new Logger(SubmitMessage.name);

  constructor(
    private readonly messages: MessageRepository,
    private readonly cases: CaseRepository,
    private readonly tracker: ProcedureTracker,
    private readonly timers: DeadlineTimers,
    private readonly audit: AuditTrail,
    private readonly directory: AuthorityDirectory,
    private readonly identity: NodeIdentity,
    private readonly queue: DeliveryQueue,
    private readonly policy: PolicyDecisionPoint,
    private readonly held: HeldSubmissionsRepository,
    private readonly idempotencyKeys: IdempotencyKeysRepository,
    private readonly clock: Clock,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    private readonly files: OutboundAttachments,
    private readonly supervised: SupervisedSubmissionsRepository,
  ) {}

  /**
   * Sends a draft, or holds it while a register cannot be consulted. `release` names the held
   * submission being released: it is marked released in the transaction that stores the messages,
   * and a register still unreachable is thrown (REGISTER_UNAVAILABLE) for the releaser to wait again.
   */
  async execute(
    draft: MessageDraft,
    context: SubmissionContext,
    options: SubmissionOptions = {},
  ): Promise<SubmissionAccepted | SubmissionHeld> {
    const { idempotency } = options;
    if (idempotency) {
      const first = await this.idempotencyKeys.answerOf<
        SubmissionAccepted | SubmissionHeld | RefusalAnswer
      >(idempotency);
      if (first) return answered(first);
    }
    try {
      return await this.submit(draft, context, options);
    } catch (error) {
      // A parallel twin under the same key committed first: its answer is this one's.
      if (!idempotency || !isIdempotencyConflict(error)) throw error;
      const first = await this.idempotencyKeys.answerOf<
        SubmissionAccepted | SubmissionHeld | RefusalAnswer
      >(idempotency);
      if (!first) throw error;
      return answered(first);
    }
  }

  private async submit(
    draft: MessageDraft,
    context: SubmissionContext,
    { release, idempotency, review }: SubmissionOptions,
  ): Promise<SubmissionAccepted | SubmissionHeld> {
    const existing = await this.requestOf(draft, context);
    const preview = await this.decideFor(draft, existing, context, 'send', review?.id);
    // A first submission refused only for warnings waits for a supervisor; a release, a
    // supervisor's decision, or a supervisor's own draft offering acknowledgements is answered
    // with the refusal itself.
    const keepForSupervisor = !release && !review && !draft.acknowledgements?.length;
    const { recipients, decisions, withheld } = await this.screen(
      preview,
      context,
      draft,
      keepForSupervisor ? { existing: existing?.id ?? null, idempotency } : undefined,
    );
    const sender = context.scope.authorityId;
    const caseReference = preview.caseReference;
    if (this.mustWait(preview.round, recipients, sender)) {
      const awaiting = [...preview.round.unavailableRegisters];
      if (release || review) {
        throw new GatewayError(
          ErrorCode.REGISTER_UNAVAILABLE,
          `the register of ${awaiting.join(', ')} cannot be consulted`,
          awaiting.map((register) => ({ register })),
        );
      }
      return this.hold(draft, context, awaiting, existing?.id ?? null, withheld, idempotency);
    }
    const { channel } = preview;
    const now = this.clock.now();
    const retryUntil = new Date(now.getTime() + this.config.delivery.retryWindowMs);
    // A 1:1 request is identified by its opening message; a JIT fan-out shares the first copy's id.
    const messageIds = recipients.map(() => uuidv7({ msecs: now.getTime() }));
    const requestId = draft.requestId ?? messageIds[0];
    const message: TrackedMessage = {
      requestId,
      procedure: draft.procedure,
      messageType: draft.messageType,
      body: draft.body,
      sender,
      authority: sender,
      counterparts: recipients.map((r) => r.id),
      caseReference: draft.caseReference ?? null,
      deadlineProfiles: draft.deadlineProfiles ?? [],
      direction: 'outbound',
      at: now,
      opensNewRequest: draft.requestId === undefined,
    };
    // Everything is sealed before anything is stored, with no transaction open and no request
    // locked: each recipient's files, then every copy's envelope, all copies at once. A request
    // this message opens is tracked first (nothing of it is locked or written until the storing
    // statement): its deadline profiles travel in the envelope. A refusal from here on removes the
    // sealed files again.
    const officer = fileActorOf(context);
    const manifests = new Map<string, AttachmentDigest[]>();
    let opened: TrackingResult | undefined;
    let copies: SealedCopy[];
    try {
      for (const [index, recipient] of recipients.entries()) {
        manifests.set(
          recipient.id,
          await this.files.seal(
            preview.attachments,
            messageIds[index],
            sealingKeys(this.identity, recipient, now),
            officer,
            now,
          ),
        );
      }
      if (message.opensNewRequest) opened = await this.tracker.track(this.messages.db, message);
      copies = await Promise.all(
        recipients.map(async (recipient, index) => {
          const decision = decisions.get(recipient.id)!;
          const payload: EnvelopePayload = {
            formatVersion: 1,
            messageId: messageIds[index],
            procedure: draft.procedure,
            messageType: draft.messageType,
            requestId,
            deadlineProfiles: opened?.deadlineProfiles ?? [],
            sender,
            recipient: recipient.id,
            createdAt: now.toISOString(),
            inReplyTo: draft.inReplyTo ?? null,
            caseReference,
            // The safeguards' redactions, and "no onward transfer" to every shielded State (H-1).
            handling: withRequiredHandling(draft.handling, decision),
            body: { ...decision.approvedBody },
            attachments: [...manifests.get(recipient.id)!, ...(draft.describedAttachments ?? [])],
            ...(draft.language && { language: draft.language }),
          };
          const armored = await sealEnvelope(
            payload,
            sealingKeys(this.identity, recipient, now),
            authorisePayload(decision, payload, now),
          );
          return { recipient, decision, payload, armored };
        }),
      );
    } catch (error) {
      await Promise.all(messageIds.map((id) => this.files.discard(id)));
      throw error;
    }

    // The request it opens or moves, every copy's message, envelope and evidence, and the audit
    // entries. An existing request is locked and moved here, in the storing transaction.
    const storeMessages = async (db: Db) => {
      const tracked = opened ?? (await this.tracker.track(db, message));
      const sealed: SubmissionAccepted['messages'] = [];
      const entries: AuditRecord[] = [];
      const joined: JoinedWrite[] = [...tracked.opening];
      for (const { recipient, decision, payload, armored } of copies) {
        const envelopeSha256 = sha256Hex(armored);
        joined.push(
          ...this.messages.insertsOf(
            {
              payload,
              direction: 'outbound',
              status: 'queued',
              correlationId: context.correlationId,
              retryUntil,
              now,
            },
            { armored, sha256: envelopeSha256 },
          ),
          this.messages.evidenceInsertOf(payload.messageId, 'submission-acceptance', now, {
            envelopeSha256,
            retryUntil: retryUntil.toISOString(),
          }),
        );
        entries.push(
          {
            event: 'message.sent',
            actor: context.actor,
            messageId: payload.messageId,
            correlationId: context.correlationId,
            details: {
              recipient: recipient.id,
              procedure: payload.procedure,
              messageType: payload.messageType,
              requestId,
              requestStatus: tracked.state.status,
              envelopeSha256,
            },
          },
          {
            event: 'policy.decided',
            actor: context.actor,
            messageId: payload.messageId,
            correlationId: context.correlationId,
            ...decisionAudit(decision, recipient.id, channel, preview.round),
          },
        );
        sealed.push({
          messageId: payload.messageId,
          recipient: recipient.id,
          envelopeSha256,
          policy: decision.outcome,
          redacted: decision.redactions.map((r) => `${r.path} (${r.ruleId})`),
        });
      }
      await this.audit.recordAll(entries, db, joined);
      const accepted: SubmissionAccepted = {
        requestId,
        requestStatus: tracked.state.status,
        status: 'queued',
        createdAt: now.toISOString(),
        messages: sealed,
        withheld,
      };
      return { accepted, tracked };
    };
    // A new request with nothing else to record is stored by that one statement, atomic by
    // itself: no transaction. An existing request to lock and move, files to bind, a held or
    // supervised submission to close and an idempotency key to keep go with it in one transaction.
    const oneStatement =
      draft.requestId === undefined &&
      preview.attachments.length === 0 &&
      !release &&
      !review &&
      !idempotency;
    const stored = oneStatement
      ? storeMessages(this.messages.db)
      : this.messages.transaction(async (trx) => {
          const { accepted, tracked } = await storeMessages(trx);
          const sealed = accepted.messages;
          /** What the held or supervised submission records it became. */
          const sent = {
            requestId,
            messages: sealed.map(({ messageId, recipient }) => ({ messageId, recipient })),
          };
          for (const [index, recipient] of recipients.entries()) {
            // The upload is bound to the first copy; every copy records its own sealed chunks.
            await this.files.bind(
              trx,
              messageIds[index],
              sender,
              preview.attachments,
              manifests.get(recipient.id)!,
              index === 0,
              now,
              review?.id,
            );
          }
          if (release && !(await this.held.markReleased(trx, release.holdId, sent, now))) {
            // Another process released it first: this transaction stores nothing.
            throw new GatewayError(
              ErrorCode.HELD_SUBMISSION_NOT_FOUND,
              `held submission ${release.holdId} is no longer waiting`,
            );
          }
          if (
            review &&
            !(await this.supervised.markAcknowledged(trx, review.id, review.supervisor, sent, now))
          ) {
            // Another supervisor decided it first: this transaction stores nothing.
            throw new GatewayError(
              ErrorCode.SUPERVISED_SUBMISSION_DECIDED,
              `submission ${review.id} was decided meanwhile by another supervisor`,
              [{ field: 'id' }],
            );
          }
          if (review) {
            const acknowledged = [...decisions.values()].flatMap((d) => d.acknowledgements);
            await this.audit.record(
              {
                event: 'supervision.acknowledged',
                actor: review.supervisor,
                correlationId: context.correlationId,
                details: {
                  supervisedSubmissionId: review.id,
                  submittedBy: context.actor,
                  requestId,
                  messages: sealed.map((m) => m.messageId),
                  rules: [
                    ...new Set([
                      ...acknowledged.map((a) => a.ruleId),
                      ...(review.signedOff ? [SIGN_OFF] : []),
                    ]),
                  ],
                  legalBases: [
                    ...new Set([
                      ...[...decisions.values()].flatMap((d) =>
                        d.findings.filter((f) => f.acknowledgement).flatMap((f) => f.legalBasis),
                      ),
                      ...(review.signedOff ? signOffOf(draft.procedure).legalBasis : []),
                    ]),
                  ],
                },
                annex: { justifications: review.justifications },
              },
              trx,
            );
          }
          if (release) {
            await this.audit.record(
              {
                event: 'submission.released',
                actor: context.actor,
                correlationId: context.correlationId,
                details: {
                  holdId: release.holdId,
                  requestId,
                  messages: sealed.map((m) => m.messageId),
                },
              },
              trx,
            );
          }
          if (idempotency) await this.idempotencyKeys.record(trx, idempotency, accepted, now);
          return { accepted, tracked };
        });
    const { accepted, tracked } = await stored.catch(async (error: unknown) => {
      await Promise.all(messageIds.map((id) => this.files.discard(id)));
      throw error;
    });

    await this.afterCommit(accepted.messages, tracked.deadlines, context);
    return accepted;
  }

  private channelOf(draft: MessageDraft, recipients: number, opening: boolean): Channel {
    if (draft.onwardTransferOf) return 'onward-transfer';
    if (draft.procedure === 'jit' && recipients > 1) return 'jit-fan-out';
    return opening ? 'new-request' : 'answer';
  }

  /**
   * What sending this draft would decide, without storing or sending anything: the same checks of
   * who may act, the same recipients and the same decision point as `execute` (explain uses it).
   */
  async preview(draft: MessageDraft, context: SubmissionContext): Promise<SubmissionPreview> {
    const existing = await this.requestOf(draft, context);
    return this.decideFor(draft, existing, context, 'explain');
  }

  /** The request a follow-up belongs to, after the checks of who may act on it. */
  private async requestOf(draft: MessageDraft, context: SubmissionContext) {
    // Who may act comes before what the draft says: nothing about the body is told to the unentitled.
    const existing = draft.requestId
      ? await this.cases.requireRequest(draft.requestId, context.scope)
      : undefined;
    const sender = context.scope.authorityId;
    if (
      !existing &&
      !inScope(context.scope, {
        authorityId: sender,
        procedure: draft.procedure,
        caseReference: draft.caseReference ?? null,
      })
    ) {
      throw new GatewayError(
        ErrorCode.PERMISSION_DENIED,
        `your roles do not open ${draft.procedure} requests${draft.procedure === 'jit' ? ' for this case (JIT membership)' : ''}`,
        [{ field: 'procedure' }],
      );
    }
    if (existing && draft.caseReference && draft.caseReference !== existing.case_reference) {
      throw new GatewayError(
        ErrorCode.VALIDATION_FAILED,
        `request ${existing.id} belongs to case ${existing.case_reference}`,
        [{ field: 'caseReference' }],
      );
    }
    // The case's facts decide the safeguards: a new request goes only into a case the sender may see.
    if (!existing && draft.caseReference) {
      if (!(await this.cases.caseVisible(draft.caseReference, context.scope))) {
        throw new OutOfScopeError(
          ErrorCode.CASE_NOT_FOUND,
          `case ${draft.caseReference} has no requests you may see`,
          [{ field: 'caseReference' }],
        );
      }
    }
    if (
      draft.acknowledgements &&
      draft.acknowledgements.length > 0 &&
      !context.mayAcknowledgeWarnings
    ) {
      throw new GatewayError(
        ErrorCode.PERMISSION_DENIED,
        'only a supervisor acknowledges policy warnings (domain.md section 4)',
        [{ field: 'acknowledgements' }],
      );
    }
    return existing;
  }

  /** The policy decision point, once per recipient, before anything is stored. */
  private async decideFor(
    draft: MessageDraft,
    existing: Awaited<ReturnType<SubmitMessage['requestOf']>>,
    context: SubmissionContext,
    purpose: CheckPurpose,
    /** A supervisor's decision: the uploads held for that submission are its own. */
    heldFor?: string,
  ): Promise<SubmissionPreview> {
    validateMessageBody(draft.procedure, draft.messageType, draft.body);
    const addressed = this.recipients(draft, existing?.counterparts);
    const officer = fileActorOf(context);
    const attachments = await this.files.resolve(draft.attachments, officer, heldFor);
    const caseReference = draft.caseReference ?? existing?.case_reference ?? null;
    const channel = this.channelOf(draft, addressed.length, !existing);
    // The acknowledgements are the supervisor's: the decision point names them as the acknowledger.
    const round = await this.policy.decide(
      {
        channel,
        procedure: draft.procedure,
        messageType: draft.messageType,
        caseReference,
        body: draft.body,
        purpose: draft.handling.permittedPurpose,
        language: draft.language,
        declarations: draft.declarations,
        acknowledgements: draft.acknowledgements,
        receivedHandling: draft.onwardTransferOf?.handling,
        requestState: existing?.state,
        attachments: await this.files.forDecision(attachments, officer),
      },
      addressed,
      context.scope.authorityId,
      context.acknowledgedBy ?? context.actor,
      purpose,
    );
    return {
      procedure: draft.procedure,
      messageType: draft.messageType,
      channel,
      caseReference,
      addressed,
      round,
      attachments,
    };
  }

  /**
   * A refusal stops the message, except in a JIT fan-out, where the members the safeguards
   * exclude are left out and the sender is told which rule did so. Every refusal is audited with
   * its rules and legal bases (and, for register hits, review references instead of reasons).
   */
  private async screen(
    preview: SubmissionPreview,
    context: SubmissionContext,
    draft: MessageDraft,
    supervision?: { existing: string | null; idempotency: Idempotency | undefined },
  ): Promise<{
    recipients: Authority[];
    decisions: Map<string, PolicyDecision>;
    withheld: SubmissionAccepted['withheld'];
  }> {
    const { addressed, round, channel, caseReference } = preview;
    const decisions = round.decisions;
    const refusals = addressed.flatMap((recipient) => {
      const error = policyError(decisions.get(recipient.id)!);
      return error ? [{ recipient, error }] : [];
    });
    for (const { recipient } of refusals) {
      const refusal = decisionAudit(decisions.get(recipient.id)!, recipient.id, channel, round);
      await this.audit.record({
        event: 'policy.refused',
        actor: context.actor,
        correlationId: context.correlationId,
        ...refusal,
        details: {
          ...refusal.details,
          procedure: draft.procedure,
          messageType: draft.messageType,
          caseReference,
        },
      });
    }
    const recipients = addressed.filter(
      (recipient) => !refusals.some((r) => r.recipient === recipient),
    );
    // A caseworker's refusal of a request goes once a supervisor signs it off (domain.md 1).
    const signOff =
      supervision !== undefined &&
      !context.mayAcknowledgeWarnings &&
      isRefusal(draft.procedure, draft.messageType);
    if (recipients.length === 0 || (refusals.length > 0 && channel !== 'jit-fan-out')) {
      const refused = refusals.map(({ recipient }) => decisions.get(recipient.id)!);
      if (supervision && awaitsSupervisor(refused)) {
        throw await this.keepForSupervisor(
          draft,
          context,
          preview,
          refused,
          refusals[0].error,
          supervision,
          signOff,
        );
      }
      throw refusals[0].error;
    }
    if (signOff) {
      throw await this.keepForSupervisor(
        draft,
        context,
        preview,
        [],
        new GatewayError(
          ErrorCode.SUPERVISOR_SIGN_OFF_REQUIRED,
          'A refusal of a request is sent once a supervisor signs it off (domain.md section 1)',
          [],
        ),
        supervision,
        true,
      );
    }
    return {
      recipients,
      decisions,
      withheld: refusals.map(({ recipient, error }) => ({
        recipient: recipient.id,
        code: error.code,
        rules: error.details.map((d) => String(d.rule)),
        message: error.message,
      })),
    };
  }

  /**
   * A decision is final only if every register of the State answered, or the message names no
   * one, or it goes to authorities of the sender's own State only (H-1 shields from other States).
   */
  private mustWait(
    round: DecisionRound,
    recipients: readonly Authority[],
    sender: string,
  ): boolean {
    if (round.unavailableRegisters.length === 0 || !round.namesPersons) return false;
    const own = this.identity.hostedAuthority(sender).state;
    return recipients.some(
      (recipient) => recipient.state !== own || recipient.id.slice(0, 2) !== own,
    );
  }

  private async hold(
    draft: MessageDraft,
    context: SubmissionContext,
    awaiting: string[],
    requestId: string | null,
    withheld: SubmissionAccepted['withheld'],
    idempotency: Idempotency | undefined,
  ): Promise<SubmissionHeld> {
    const now = this.clock.now();
    const { heldRecheckIntervalMs, heldGiveUpMs } = this.config.safeguards;
    return this.messages.transaction(async (trx) => {
      const held = await this.held.hold(
        draft,
        context,
        awaiting,
        {
          now,
          nextCheckAt: new Date(now.getTime() + heldRecheckIntervalMs),
          giveUpAt: new Date(now.getTime() + heldGiveUpMs),
        },
        trx,
      );
      await this.audit.record(
        {
          event: 'submission.held',
          actor: context.actor,
          correlationId: context.correlationId,
          details: {
            holdId: held.holdId,
            code: ErrorCode.REGISTER_UNAVAILABLE,
            awaiting,
            procedure: draft.procedure,
            messageType: draft.messageType,
            caseReference: draft.caseReference ?? null,
            requestId,
          },
        },
        trx,
      );
      const answer: SubmissionHeld = { ...held, requestId, messages: [], withheld };
      if (idempotency) await this.idempotencyKeys.record(trx, idempotency, answer, now);
      return answer;
    });
  }

  /**
   * Keeps a draft refused only for warnings for a supervisor of the authority (or finds the one
   * already waiting for the same draft), and answers the submitter with the same refusal, each
   * warning naming the submission that waits (`supervisedSubmissionId`).
   */
  private async keepForSupervisor(
    draft: MessageDraft,
    context: SubmissionContext,
    preview: SubmissionPreview,
    refused: PolicyDecision[],
    error: GatewayError,
    { existing, idempotency }: { existing: string | null; idempotency: Idempotency | undefined },
    signOff = false,
  ): Promise<GatewayError> {
    const fromRegister = preview.round.registerReferences.length > 0;
    const warnings = [
      ...waitingWarnings(refused, fromRegister ? REGISTER_FED_RULES : new Set()),
      ...(signOff ? [signOffOf(draft.procedure)] : []),
    ];
    const now = this.clock.now();
    return this.messages.transaction(async (trx) => {
      const kept = await this.supervised.keep(
        trx,
        {
          draft,
          context,
          channel: preview.channel,
          caseReference: preview.caseReference,
          requestId: existing,
          recipients: preview.addressed.map((recipient) => recipient.id),
          warnings,
        },
        now,
      );
      if (kept.created) {
        await this.audit.record(
          {
            event: 'supervision.requested',
            actor: context.actor,
            correlationId: context.correlationId,
            details: {
              supervisedSubmissionId: kept.id,
              procedure: draft.procedure,
              messageType: draft.messageType,
              requestId: existing,
              recipients: preview.addressed.map((recipient) => recipient.id),
              rules: warnings.map((w) => w.ruleId),
              legalBases: [...new Set(warnings.flatMap((w) => w.legalBasis))],
              decisionIds: refused.map((d) => d.decisionId),
              ...(signOff && { signOff: true }),
            },
          },
          trx,
        );
      }
      const details: ErrorDetail[] = [
        ...error.details,
        ...(signOff
          ? [{ rule: SIGN_OFF, message: 'A supervisor signs off a refusal of a request' }]
          : []),
      ];
      const refusal = new GatewayError(
        error.code,
        `${error.message}: sent to a supervisor of your authority (submission ${kept.id})`,
        details.map((detail) => ({ ...detail, supervisedSubmissionId: kept.id })),
      );
      if (idempotency) {
        const answer: RefusalAnswer = {
          awaitingSupervisor: {
            code: refusal.code,
            message: refusal.message,
            details: refusal.details,
          },
        };
        await this.idempotencyKeys.record(trx, idempotency, answer, now);
      }
      return refusal;
    });
  }

  private recipients(draft: MessageDraft, counterparts: string[] | undefined): Authority[] {
    const ids =
      draft.recipients && draft.recipients.length > 0 ? draft.recipients : (counterparts ?? []);
    if (ids.length === 0) {
      throw new GatewayError(
        ErrorCode.VALIDATION_FAILED,
        'a message opening a request names its recipients',
        [{ field: 'recipients' }],
      );
    }
    if (draft.procedure !== 'jit' && ids.length > 1) {
      throw new GatewayError(
        ErrorCode.VALIDATION_FAILED,
        `${draft.procedure} messages have one recipient; only JIT messages fan out`,
        [{ field: 'recipients' }],
      );
    }
    return ids.map((id) => {
      const authority = this.directory.find(id);
      if (!authority) {
        throw new GatewayError(
          ErrorCode.UNKNOWN_RECIPIENT,
          `${id} is not in the authority directory`,
          [{ field: 'recipients' }],
        );
      }
      // Authorities served by this node share its store: a message between them is not an exchange.
      if (this.identity.hosts(id)) {
        throw new GatewayError(
          ErrorCode.UNKNOWN_RECIPIENT,
          `${id} is served by this node; the gateway carries requests between nodes`,
          [{ field: 'recipients' }],
        );
      }
      if (!authority.procedures.includes(draft.procedure)) {
        throw new GatewayError(
          ErrorCode.PROCEDURE_NOT_ACCEPTED,
          `${authority.id} does not accept ${draft.procedure} messages`,
          [{ field: 'procedure' }],
        );
      }
      if (counterparts && !counterparts.includes(id)) {
        throw new GatewayError(
          ErrorCode.VALIDATION_FAILED,
          `${id} is not a party to request ${draft.requestId}`,
          [{ field: 'recipients' }],
        );
      }
      return authority;
    });
  }

  private async afterCommit(
    sealed: SubmissionAccepted['messages'],
    deadlines: Parameters<DeadlineTimers['schedule']>[0],
    context: SubmissionContext,
  ): Promise<void> {
    try {
      for (const message of sealed)
        await this.queue.enqueue({
          messageId: message.messageId,
          correlationId: context.correlationId,
        });
      await this.timers.schedule(deadlines);
    } catch (error) {
      this.logger.warn(
        { messages: sealed.map((m) => m.messageId), err: (error as Error).message },
        'queue not reached; the reconcilers will re-create the jobs',
      );
    }
  }
}

/** A first answer kept under an Idempotency-Key: a submission, or the refusal that sent it to a supervisor. */
function answered(
  first: SubmissionAccepted | SubmissionHeld | RefusalAnswer,
): SubmissionAccepted | SubmissionHeld {
  if ('awaitingSupervisor' in first) {
    const { code, message, details } = first.awaitingSupervisor;
    throw new GatewayError(code, message, details);
  }
  return first;
}

/** The officer as the files library knows them: who may see which uploads. */
function fileActorOf(context: SubmissionContext) {
  return {
    actor: context.actor,
    authorityId: context.scope.authorityId,
    supervisor: context.mayAcknowledgeWarnings,
    correlationId: context.correlationId,
  };
}

/** An envelope is signed with this node's current key and encrypted to the recipient's current key. */
function sealingKeys(identity: NodeIdentity, recipient: Authority, now: Date): SealingKeys {
  const recipientKey = recipient.currentKey(now);
  if (!recipientKey) {
    throw new GatewayError(
      ErrorCode.RECIPIENT_KEY_UNAVAILABLE,
      `${recipient.id} has no valid key in the directory (expired or revoked): it cannot be written to until the directory lists a new one`,
      [{ field: 'recipients' }],
    );
  }
  return { signingKey: identity.signingKey(now).key, recipientKey: recipientKey.publicKey };
}

/**
 * A decision as the audit trail keeps it: rule ids, legal bases and who acknowledged what in the
 * chained details; the free text (explanations may quote a person's reference or a case-facts
 * label; justifications are the supervisor's words) in the entry's sealed annex, which retention
 * erases with the case's content while the chain keeps its digest (README, Retention).
 */
function decisionAudit(
  decision: PolicyDecision,
  recipient: string,
  channel: Channel,
  round: DecisionRound,
): Pick<AuditRecord, 'details' | 'annex'> {
  // A register hit is never stated in clear, not even to the sender's auditors (domain.md 4): the
  // findings it feeds keep their rule and legal basis, and the review references stand for the rest.
  const fromRegister = round.registerReferences.length > 0;
  return {
    details: {
      decisionId: decision.decisionId,
      recipient,
      channel,
      outcome: decision.outcome,
      findings: decision.findings.map((f) => ({
        ruleId: f.ruleId,
        severity: f.severity,
        legalBasis: f.legalBasis,
      })),
      redactions: decision.redactions,
      acknowledgements: decision.acknowledgements.map(({ ruleId, supervisor }) => ({
        ruleId,
        supervisor,
      })),
      settingsDigest: decision.settingsDigest,
      ...(fromRegister && { registerReferences: round.registerReferences }),
      ...(round.clearedReferences.length > 0 && { clearedReferences: round.clearedReferences }),
    },
    annex: {
      explanations: decision.findings.map((f) => ({
        ruleId: f.ruleId,
        explanation:
          fromRegister && REGISTER_FED_RULES.has(f.ruleId) && f.severity !== 'note'
            ? f.senderMessage
            : f.explanation,
      })),
      justifications: decision.acknowledgements.map(
        ({ ruleId, justification, asylumAuthoritySignOff }) => ({
          ruleId,
          justification,
          ...(asylumAuthoritySignOff !== undefined && { asylumAuthoritySignOff }),
        }),
      ),
    },
  };
}

/** Rules whose explanations would reveal a register hit. */
const REGISTER_FED_RULES: ReadonlySet<string> = new Set(['H-1', 'H-4', 'W-7']);
