/**
 * The peer protocol's HTTP binding: the armored envelope is the request body; routing metadata
 * travels beside it in headers, in the clear; the answer to a valid envelope is its signed receipt.
 */
export const ROUTING_HEADERS = {
  sender: 'x-envelope-sender',
  recipient: 'x-envelope-recipient',
  messageId: 'x-message-id',
  correlationId: 'x-correlation-id',
} as const;

export const INBOUND_PATH = '/inbound/v1/envelopes';
export const ENVELOPE_MEDIA_TYPE = 'application/pgp-encrypted';
export const RECEIPT_MEDIA_TYPE = 'text/plain';
