import type { Procedure } from '#libs/kernel';

export { canonicalJson, PROCEDURES, type Procedure } from '#libs/kernel';

/**
 * Conditions that travel with every message and bind its recipient (SIENA-style handling codes).
 * - permittedPurpose: speciality, UNTOC 18(19)
 * - confidential: UNTOC 18(20)
 * - noOnwardTransferTo: ISO 3166-1 alpha-2 codes of States the content must never reach
 */
export interface HandlingConditions {
  permittedPurpose: string;
  confidential: boolean;
  noOnwardTransferTo: string[];
}

export interface AttachmentDigest {
  name: string;
  mediaType: string;
  size: number;
  sha256: string;
}

/** The sealed document. Everything but sender, recipient and message id travels only inside it. */
export interface EnvelopePayload {
  formatVersion: 1;
  messageId: string;
  procedure: Procedure;
  messageType: string;
  /** The request (thread) this message belongs to: the same on every node, and on every copy of a JIT fan-out. */
  requestId: string;
  /** Deadline profiles the opening message starts (config/deadlines); empty on follow-ups. */
  deadlineProfiles: string[];
  sender: string;
  recipient: string;
  createdAt: string;
  inReplyTo: string | null;
  caseReference: string | null;
  handling: HandlingConditions;
  body: Record<string, unknown>;
  attachments: AttachmentDigest[];
  /** ISO 639-1 code of the language the message is written in (UNTOC 18(14)), when recorded. */
  language?: string;
}

/** Routing metadata: the only facts about a message visible outside its envelope. */
export interface EnvelopeRouting {
  sender: string;
  recipient: string;
  messageId: string;
}
