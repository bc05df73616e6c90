import { Injectable } from '@nestjs/common';
import { ErrorCode, GatewayError } from '#libs/errors';
import { contentErasureOf, MessageRepository } from './message.repository.js';
import {
  SubmitMessage,
  type MessageDraft,
  type SubmissionAccepted,
  type SubmissionHeld,
  type SubmissionOptions,
  type SubmissionPreview,
  type SubmissionContext,
} from './submit-message.use-case.js';

export interface ForwardDraft {
  recipients: string[];
  caseReference: string;
  /** The purpose the content is passed on for. */
  purpose: string;
  /** The sending State's prior consent to another purpose or to disclosure (UNTOC 18(19), 18(20)). */
  consentReference?: string;
  acknowledgements?: MessageDraft['acknowledgements'];
  declarations?: MessageDraft['declarations'];
}

/**
 * Passes received content on to another authority. The handling conditions the content arrived
 * with bind this node: speciality (UNTOC 18(19)) and confidentiality (18(20)) need the sending
 * State's consent on record, the States it may never reach are refused by the decision point
 * (HC-1), and the conditions travel on with the content.
 */
@Injectable()
export class ForwardMessage {
  constructor(
    private readonly messages: MessageRepository,
    private readonly submit: SubmitMessage,
  ) {}

  async execute(
    messageId: string,
    draft: ForwardDraft,
    context: SubmissionContext,
    options: SubmissionOptions = {},
  ): Promise<SubmissionAccepted | SubmissionHeld> {
    return this.submit.execute(await this.draftOf(messageId, draft, context), context, options);
  }

  /** What forwarding would decide: the same checks and the same decision point as `execute`. */
  async preview(
    messageId: string,
    draft: ForwardDraft,
    context: SubmissionContext,
  ): Promise<SubmissionPreview> {
    return this.submit.preview(await this.draftOf(messageId, draft, context), context);
  }

  /** The message to send on, once speciality and confidentiality allow it. */
  private async draftOf(
    messageId: string,
    draft: ForwardDraft,
    context: SubmissionContext,
  ): Promise<MessageDraft> {
    const row = await this.messages.requireVisible(messageId, context.scope);
    if (row.direction !== 'inbound') {
      throw new GatewayError(
        ErrorCode.VALIDATION_FAILED,
        'only content received from another authority is forwarded',
        [{ field: 'id' }],
      );
    }
    const erasure = contentErasureOf(row);
    if (erasure) {
      throw new GatewayError(ErrorCode.CONTENT_ERASED, erasure.note, [
        { field: 'id', retentionProfile: erasure.profile, erasedAt: erasure.erasedAt },
      ]);
    }
    const received = this.messages.openPayload(row);
    const { handling } = received;
    if (draft.purpose !== handling.permittedPurpose && !draft.consentReference) {
      throw new GatewayError(
        ErrorCode.POLICY_BLOCKED,
        'Blocked by UNTOC 18(19): another purpose needs the sending State’s prior consent',
        [
          {
            rule: 'UNTOC 18(19)',
            field: 'purpose',
            message: `the content may be used for: ${handling.permittedPurpose}`,
          },
        ],
      );
    }
    if (handling.confidential && !draft.consentReference) {
      throw new GatewayError(
        ErrorCode.POLICY_BLOCKED,
        'Blocked by UNTOC 18(20): the sending State asked for confidentiality',
        [
          {
            rule: 'UNTOC 18(20)',
            field: 'consentReference',
            message: 'record the sending State’s consent to disclose',
          },
        ],
      );
    }
    return {
      procedure: received.procedure,
      messageType: received.messageType,
      recipients: draft.recipients,
      caseReference: draft.caseReference,
      handling: { ...handling, permittedPurpose: draft.purpose },
      body: received.body,
      // The files themselves are not passed on (not re-sealed yet): their descriptions are.
      describedAttachments: received.attachments.map(({ name, mediaType, size, sha256 }) => ({
        name,
        mediaType,
        size,
        sha256,
      })),
      acknowledgements: draft.acknowledgements,
      declarations: draft.declarations,
      onwardTransferOf: { messageId, handling },
    };
  }
}
