import { Injectable } from '@nestjs/common';
import { CaseRepository } from '#libs/cases';
import type { HandlingConditions, Procedure } from '#libs/envelope';
import type { AttachmentRef } from './attachments/outbound-attachments.js';
import { MessageRepository } from './message.repository.js';
import {
  SubmitMessage,
  type MessageDraft,
  type SubmissionAccepted,
  type SubmissionHeld,
  type SubmissionOptions,
  type SubmissionContext,
} from './submit-message.use-case.js';

export interface AnswerDraft {
  messageType: string;
  body: Record<string, unknown>;
  /** Defaults to the conditions the request was opened under. */
  handling?: HandlingConditions;
  inReplyTo?: string | null;
  /** Uploads of the sender's authority that travel with the answer. */
  attachments?: AttachmentRef[];
  declarations?: MessageDraft['declarations'];
  acknowledgements?: MessageDraft['acknowledgements'];
}

/** A follow-up in a request's thread (an answer, a withdrawal), sent to the request's other parties. */
@Injectable()
export class AnswerRequest {
  constructor(
    private readonly cases: CaseRepository,
    private readonly messages: MessageRepository,
    private readonly submit: SubmitMessage,
  ) {}

  async execute(
    requestId: string,
    draft: AnswerDraft,
    context: SubmissionContext,
    options: SubmissionOptions = {},
  ): Promise<SubmissionAccepted | SubmissionHeld> {
    const request = await this.cases.requireRequest(requestId, context.scope);
    const opening = await this.messages.find(requestId);
    const handling = draft.handling ?? (opening && this.messages.openPayload(opening))?.handling;
    return this.submit.execute(
      {
        procedure: request.procedure as Procedure,
        messageType: draft.messageType,
        requestId,
        handling: handling ?? {
          permittedPurpose: `request ${requestId}`,
          confidential: true,
          noOnwardTransferTo: [],
        },
        body: draft.body,
        inReplyTo: draft.inReplyTo ?? null,
        attachments: draft.attachments,
        declarations: draft.declarations,
        acknowledgements: draft.acknowledgements,
      },
      context,
      options,
    );
  }
}
