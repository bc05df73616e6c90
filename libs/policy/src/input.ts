import type { Procedure } from '#libs/kernel';
import type { DataCategory } from '#libs/procedures';
import type { CaseFacts } from './facts.js';
import type { PolicySettings } from './settings.js';

/** Every outgoing path passes the policy decision point (domain.md 4). */
export const CHANNELS = [
  'new-request',
  'answer',
  'jit-fan-out',
  'onward-transfer',
  'evidence-export',
] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * What kind of authority sends or receives. An embassy or consulate is an authority of the State
 * it represents, wherever it sits (domain.md 1): its `state` is the sending State. `public` is any
 * recipient outside the closed circle of competent authorities (publication, media, an open record).
 */
export const AUTHORITY_KINDS = [
  'central-authority',
  'judicial',
  'prosecution',
  'police',
  'embassy',
  'consulate',
  'repatriation',
  'asylum',
  'asset-recovery',
  'jit-member',
  'other',
  'public',
] as const;
export type AuthorityKind = (typeof AUTHORITY_KINDS)[number];

export interface PartyRef {
  /** Directory id (`FR-MOJ-BEPI`); its prefix is a State too, and both count for H-1. */
  readonly authorityId: string;
  /** ISO 3166-1 alpha-2 code of the State the authority belongs to. */
  readonly state: string;
  readonly kind: AuthorityKind;
  /** ISO 639-1 codes of the languages the authority accepts requests in (its directory entry). */
  readonly acceptedLanguages?: readonly string[];
}

/** The data categories the policy knows (`DATA_CATEGORIES` of #libs/procedures; a test keeps them equal). */
export const POLICY_CATEGORIES = [
  'identity',
  'location',
  'asylum-protection',
  'health',
  'child-status',
  'testimony-cooperation',
  'residence-status',
  'status-offences',
  'family',
  'assets',
  'intelligence',
] as const satisfies readonly DataCategory[];

/**
 * A hit of the protected-persons register on a person the message names: `personIndex` is the
 * person's position in `personsIn(body)`. The hit's reason is never part of it. An entry records
 * shielding, not the state of a claim: H-1 blocks every message to a State in `shieldFrom`, but a
 * hit stops a return to another State (H-4) only when the register says a claim is pending.
 */
export interface RegisterHit {
  readonly personIndex: number;
  readonly shieldFrom: readonly string[];
  /** The asylum authority recorded a pending claim for the person (H-4); shielding alone is H-1. */
  readonly claimPending?: boolean;
  /**
   * Where the person was named, when not in the body's persons: the free-text field or the
   * attachment (`attachments[<position>]`) whose words met the entry.
   */
  readonly field?: string;
}

/**
 * The topics of the text scanner (`libs/protection-register`, term lists by language):
 * - `asylum` (the default): asylum, refugee status, persecution or protection, in any UN official
 *   language (W-6, H-1);
 * - `cooperation-conditionality`: assistance or residence made to depend on cooperation (H-6);
 * - `prosecution-or-detention`: the prosecution, arrest, detention or extradition of someone (H-7,
 *   W-4), and `measure-against-person`: a search, seizure, freezing or investigation directed
 *   against someone (W-4). The scanner's match of these two ends where the person concerned should
 *   be named ("the arrest of |Ana Popescu"): the engine reads who follows.
 */
export const TEXT_TOPICS = [
  'asylum',
  'cooperation-conditionality',
  'prosecution-or-detention',
  'measure-against-person',
] as const;
export type TextTopic = (typeof TEXT_TOPICS)[number];

/** A mention found by the text scanner in free text or an attachment. */
export interface TextFinding {
  /** JSONPath of the string (`$.proceeding.subjectMatter`), or `body.<dotted path>`. */
  readonly field: string;
  readonly language: string;
  readonly term: string;
  readonly topic?: TextTopic;
  /** Where the match starts in the string (UTF-16 code units), and the text matched as written. */
  readonly index?: number;
  readonly match?: string;
}

/** A supervisor's acknowledgement of a warning. It is audited and travels nowhere. */
export interface Acknowledgement {
  /** A warning (`W-3`) or an added warning (`X-...`); a block cannot be acknowledged. */
  readonly ruleId: string;
  readonly justification: string;
  readonly supervisor: string;
  /** W-7 also needs the asylum authority's sign-off (reference), unless the case records it. */
  readonly asylumAuthoritySignOff?: string;
}

/** A person of the message: their `reference` (`P1`) or their index in `personsIn(body)`. */
export type PersonRef = string | number;

/**
 * What the drafter declares about the message, through the drafting form (structured: the
 * schemas have no field for these, and free text is only scanned, never trusted to be clean).
 * The engine adds what the body itself says (`inference.ts`): a declaration can add protection,
 * and no declaration, or a missing one, removes any.
 */
export interface MessageDeclarations {
  /** Persons whose return the message serves, beyond nationality-verification requests (H-3, H-4, H-5, W-1). */
  readonly returnOf?: readonly PersonRef[];
  /** Persons the request is directed against: to search, freeze, seize, trace... (W-4). */
  readonly targets?: readonly PersonRef[];
  /** Persons the request seeks to prosecute, arrest or detain (H-7, W-4). */
  readonly prosecutionOrDetentionOf?: readonly PersonRef[];
  /** What the message makes depend on cooperation with prosecution (H-6): any entry blocks. */
  readonly conditionalOnCooperation?: readonly ('assistance' | 'residence' | 'child-status')[];
  /** The message ends a compensation claim, and on what ground (H-8). */
  readonly compensationClaimClosure?: {
    readonly person?: PersonRef;
    readonly ground: 'return' | 'departure' | 'immigration-status' | 'other';
  };
  /** Victims whose identity is revealed on a need-to-know basis instead of pseudonymised (W-3). */
  readonly revealIdentity?: readonly { readonly person: PersonRef; readonly needToKnow: string }[];
  /** Persons the request asks to interview or hear (W-5), beyond what the body says. */
  readonly interviews?: readonly PersonRef[];
}

/** What a file attached to the message is declared to be (`FILE_CATEGORIES` of #libs/files). */
export const ATTACHMENT_CATEGORIES = [
  'identity-document',
  'photograph',
  'fingerprints',
  'health',
  'evidence-item',
  'translation',
  'other',
] as const;
export type AttachmentCategory = (typeof ATTACHMENT_CATEGORIES)[number];

/**
 * A file attached to the message. Its text (a PDF's text layer, a text format) is scanned like the
 * body: the scanner's findings arrive in `textFindings` with the field `attachments[<position>]`.
 * A file whose text could not be read whole cannot be cleared of asylum terms (W-6); a binary file
 * is judged by its declared category (identity documents and photographs are identity data,
 * fingerprints travel only under an agreement (B-1), health data only with consent (H-10)).
 */
export interface PolicyAttachment {
  /** Position in the message's attachments (0-based). */
  readonly position: number;
  /** The file name as uploaded: explanations name the attachment by it. */
  readonly name: string;
  readonly mediaType: string;
  readonly category: AttachmentCategory;
  /** `complete`: all its text was scanned; `partial`: truncated; `unreadable`: a text format or PDF that did not open; `binary`: no text layer (images, office documents). */
  readonly text: 'complete' | 'partial' | 'unreadable' | 'binary';
  /** SHA-256 of the plaintext: the seal authorisation binds exactly the files decided on. */
  readonly sha256?: string;
}

/** The field name findings and explanations use for an attachment: `attachments[0] "scan.pdf"`. */
export function attachmentField(attachment: Pick<PolicyAttachment, 'position' | 'name'>): string {
  return `attachments[${attachment.position}] ${JSON.stringify(attachment.name)}`;
}

export interface PolicyInput {
  readonly channel: Channel;
  readonly procedure: Procedure;
  readonly messageType: string;
  readonly sender: PartyRef;
  readonly recipient: PartyRef;
  /** The validated message body, as it would be sealed. */
  readonly body: Readonly<Record<string, unknown>>;
  /** `categoriesOf(procedure, messageType, body)`; the engine adds what the persons reveal. */
  readonly categories: ReadonlySet<DataCategory>;
  readonly facts: CaseFacts;
  readonly registerHits?: readonly RegisterHit[];
  readonly textFindings?: readonly TextFinding[];
  /** Files attached to the message (their text's findings are in `textFindings`). */
  readonly attachments?: readonly PolicyAttachment[];
  readonly declarations?: MessageDeclarations;
  readonly acknowledgements?: readonly Acknowledgement[];
  /** ISO 639-1 code of the language the message is written in, as the sender records it. */
  readonly language?: string;
  /** The message's permitted purpose (handling conditions, UNTOC 18(19)): consents name it (H-10). */
  readonly purpose?: string;
  /** Onward transfer and evidence export: the handling conditions the content arrived with (HC-1). */
  readonly receivedHandling?: { readonly noOnwardTransferTo: readonly string[] };
  readonly settings?: PolicySettings;
  /** The time of the decision (reflection periods, ages, assessment age). Default: now. */
  readonly now?: Date;
}
