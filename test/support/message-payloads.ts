import type { EnvelopePayload } from '#libs/envelope';

/**
 * The payload of an MLA request between two authorities, as the repositories store it: what the
 * integration suites need of a message row, without sealing anything.
 */
export function requestPayload(
  fields: Pick<EnvelopePayload, 'messageId' | 'requestId' | 'sender' | 'recipient'> & {
    createdAt: Date;
    caseReference: string;
    body?: Record<string, unknown>;
  },
): EnvelopePayload {
  return {
    procedure: 'mla',
    messageType: 'request',
    inReplyTo: null,
    body: {},
    ...fields,
    createdAt: fields.createdAt.toISOString(),
  } as unknown as EnvelopePayload;
}
