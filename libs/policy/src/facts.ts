import type { DataCategory } from '#libs/procedures';

/*
 * What the case knows about the persons concerned, beyond what a message says: the facts the
 * safeguards of domain.md section 4 need. The caller assembles them from the case record (never
 * from the message being checked). A missing fact is never read as "safe": a return without a
 * recorded risk assessment is blocked (H-4), a return without a record of voluntariness warns (W-1).
 *
 * References (`string` record fields) point to the record that proves the fact (a file number, a
 * document id): present and non-blank means recorded.
 */

/**
 * An asylum claim or international protection. Every status but `none` means a claim was made:
 * H-1 protects that fact "during the procedure and after it ends" (domain.md 4), so a final
 * rejection or a withdrawal still shields the person.
 */
export const ASYLUM_STATUSES = [
  'none',
  'pending',
  'rejected-appealable',
  'granted',
  'rejected-final',
  'withdrawn',
] as const;
export type AsylumStatus = (typeof ASYLUM_STATUSES)[number];

export interface AsylumFacts {
  readonly status: AsylumStatus;
  /** ISO 3166-1 alpha-2 codes of States the person fears ("alleged actors of persecution"). */
  readonly shieldFrom: readonly string[];
}

export const RISK_ASSESSMENT_OUTCOMES = ['no-risk', 'risk', 'inconclusive'] as const;
export type RiskAssessmentOutcome = (typeof RISK_ASSESSMENT_OUTCOMES)[number];

/** The individual risk assessment before a return (004 Pt1 IV.B.2(f); 002 Residence (5)). */
export interface RiskAssessmentFacts {
  readonly done: boolean;
  /** When it was concluded (ISO 8601): settings may require it to be recent (H-4). */
  readonly at?: string;
  readonly outcome?: RiskAssessmentOutcome;
  readonly reference?: string;
}

export const PROCEEDING_KINDS = ['criminal', 'civil', 'compensation', 'administrative'] as const;
export const PROCEEDING_ROLES = ['victim', 'witness', 'claimant', 'suspect', 'party'] as const;

/** Proceedings the person takes part in (H-3). */
export interface ProceedingFacts {
  readonly kind: (typeof PROCEEDING_KINDS)[number];
  readonly role: (typeof PROCEEDING_ROLES)[number];
  /** Absent or true: open. */
  readonly open?: boolean;
  /** The person's own recorded request to be released from the proceedings (reference). */
  readonly releaseRequestedByPerson?: string;
  /** The person's lawyer's sign-off of that request (reference). */
  readonly lawyerSignOff?: string;
}

export interface GuardianFacts {
  readonly reference?: string;
  readonly independentOfRequestingAgency: boolean;
}

/** A child, or a person whose age is uncertain and who may be one (H-5). */
export interface ChildFacts {
  readonly isChild?: boolean;
  readonly ageUncertain?: boolean;
  readonly bestInterestsDetermination?: string;
  readonly guardian?: GuardianFacts;
  readonly viewsRecorded?: string;
  readonly familyAssessment?: string;
}

/** Consent of the data's owner for a purpose (H-10). */
export interface ConsentFacts {
  readonly category: DataCategory;
  /** The purpose consented to: compared with the message's permitted purpose. */
  readonly purpose: string;
  readonly given: boolean;
  readonly withdrawn?: boolean;
  /** The consent record, as a message's `consentReference` cites it. */
  readonly reference?: string;
}

export interface PersonFacts {
  /** Matches the person named in the message whose `reference` is this key (`P1`)... */
  readonly personKey?: string;
  /** ...or the person at this position in `personsIn(body)`. */
  readonly personIndex?: number;
  /**
   * The person the thread is about: every message of the thread concerns them, named in its body
   * or not (the subject of a nationality verification, whose travel-document request names nobody).
   */
  readonly subjectOfCase?: boolean;
  /** A label for the legal officer (`victim V-3`), never sent anywhere. */
  readonly label?: string;
  readonly nationalities?: readonly string[];
  readonly countryOfOrigin?: string;
  readonly dateOfBirth?: string;
  readonly asylum?: AsylumFacts;
  readonly nonRefoulementRiskOpen?: boolean;
  readonly riskAssessment?: RiskAssessmentFacts;
  readonly openProceedings?: readonly ProceedingFacts[];
  /** The reflection and recovery period (ISO date or timestamp it runs until, inclusive). */
  readonly reflectionPeriod?: { readonly until: string };
  readonly child?: ChildFacts;
  /** Identified or presumed victim of trafficking. */
  readonly victim?: boolean;
  /** Status offences (immigration, documents...) are on record for the person (H-7). */
  readonly statusOffences?: boolean;
  readonly consents?: readonly ConsentFacts[];
  /** The person's testimony is already on record (W-5). */
  readonly testimonyExists?: boolean;
  readonly compensationClaimOpen?: boolean;
  /** The person's own recorded wish to return (W-1). */
  readonly returnVoluntary?: boolean;
  /** The person's identity is already pseudonymised in the case's outgoing messages (W-3). */
  readonly identityPseudonymised?: boolean;
  /** Protective measures agreed for the person's identity abroad (W-3; reference). */
  readonly identityProtectiveMeasures?: string;
}

/** An action on a State's territory in a joint investigation team, and its approval (H-9). */
export interface JitActionFacts {
  readonly actionId: string;
  readonly territoryState: string;
  readonly decision: 'pending' | 'approved' | 'refused';
}

export interface CaseFacts {
  readonly persons?: readonly PersonFacts[];
  /** A legal basis or agreement is recorded for the case (W-2), besides what the body says. */
  readonly legalBasisRecorded?: boolean;
  /** The bilateral agreement the case relies on: selects per-agreement settings. */
  readonly agreementId?: string;
  /** Testimony of a victim is on record (W-5) when the person facts do not say whose. */
  readonly testimonyExists?: boolean;
  /** Asylum flags exist in the case beyond the persons listed (W-7). */
  readonly asylumFlagsInCase?: boolean;
  /** The asylum authority's sign-off for contacts with embassies and origin countries (W-7). */
  readonly asylumAuthoritySignOff?: string;
  /** A victim's compensation claim is open in the case (H-8, W-11). */
  readonly compensationClaimOpen?: boolean;
  /** The actions of a joint investigation team and their approvals (H-9). */
  readonly jitActions?: readonly JitActionFacts[];
}
