import type { Procedure, PublicKey, SignerKeys } from '#libs/envelope';
import type { Measure } from '#libs/kernel';

export const AUTHORITY_KINDS = [
  'central-authority',
  'prosecutor',
  'police-liaison',
  'asset-recovery',
  'immigration-repatriation',
  'asylum-authority',
  'embassy',
] as const;
export type AuthorityKind = (typeof AUTHORITY_KINDS)[number];

/**
 * Why a key was revoked, as OpenPGP names it (RFC 9580 5.2.3.31). A compromised key is revoked
 * "hard": none of its signatures can be trusted any more, whatever time they claim. The others are
 * "soft": signatures made before the revocation stand.
 */
export const REVOCATION_REASONS = [
  'key-compromised',
  'key-superseded',
  'key-retired',
  'unspecified',
] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

/** One of an authority's keys, with the period in which the directory lets it sign and be encrypted to. */
export interface DirectoryKey {
  fingerprint: string;
  publicKeyArmored: string;
  publicKey: PublicKey;
  validFrom: Date;
  /** End of the key's use; after a rotation, the end of the overlap with its successor. */
  validUntil?: Date;
  /** The key's own OpenPGP expiry, read from the key. */
  expiresAt?: Date;
  revokedAt?: Date;
  revocationReason?: RevocationReason;
}

export const URGENT_CHANNELS = ['phone', 'email', 'interpol', 'gateway'] as const;

/** A bilateral or multilateral treaty on record between the authority's State and others. */
export interface TreatyOnRecord {
  id: string;
  title: string;
  /** The other States party to it (ISO 3166-1 alpha-2). */
  states: string[];
  /** The procedures it governs; all, when absent. */
  procedures?: Procedure[];
}

/**
 * What an authority is competent for, as the EJN Atlas states it: the measures it executes, where
 * (its regions; national when absent), for which offences (all when absent), in which languages
 * it accepts requests (UNTOC 18(14)), how to reach it urgently, and the treaties on record.
 */
export interface Competence {
  measures?: Measure[];
  regions?: string[];
  offences?: string[];
  /** ISO 639-1 codes of the languages it accepts requests in. */
  languages?: string[];
  urgentContact?: { channel: (typeof URGENT_CHANNELS)[number]; address: string };
  treaties?: TreatyOnRecord[];
}

export interface AuthorityFields {
  /** `FR-MOJ-BEPI`: the prefix is the ISO 3166-1 alpha-2 code of the State it belongs to. */
  id: string;
  /** The State the authority belongs to; what counts for the safeguards (an embassy is its sending State's). */
  state: string;
  name: string;
  kind: AuthorityKind;
  /** Base URL of the authority's gateway node. */
  endpoint: string;
  procedures: Procedure[];
  /** Current and past keys. Authorities hosted on one node (a hub) list the same keys. */
  keys: DirectoryKey[];
  /**
   * SHA-256 fingerprints (normalised: 64 upper-case hex digits) of the node's TLS certificate or
   * of a CA certificate in its chain: what its server and client certificates must match.
   */
  tlsPins?: string[];
  competence?: Competence;
}

/** A certificate pin as written (hex, colons allowed, any case) in its one comparable form. */
export function normaliseTlsPin(pin: string): string {
  return pin.replace(/:/g, '').toUpperCase();
}

export const TLS_PIN_PATTERN = /^(?:[0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$|^[0-9A-Fa-f]{64}$/;

const iso = (date: Date) => date.toISOString();

/** The first moment the key may no longer be used (end of validity, OpenPGP expiry or revocation). */
export function keyEndsAt(key: DirectoryKey): Date | undefined {
  const ends = [key.validUntil, key.expiresAt, key.revokedAt].filter(
    (date): date is Date => date !== undefined,
  );
  return ends.length === 0 ? undefined : new Date(Math.min(...ends.map((d) => d.getTime())));
}

export function keyUsableAt(key: DirectoryKey, at: Date): boolean {
  const end = keyEndsAt(key);
  return key.validFrom.getTime() <= at.getTime() && (!end || at.getTime() < end.getTime());
}

export class Authority implements SignerKeys {
  readonly id: string;
  readonly state: string;
  readonly name: string;
  readonly kind: AuthorityKind;
  readonly endpoint: string;
  readonly procedures: Procedure[];
  readonly keys: readonly DirectoryKey[];
  readonly tlsPins: readonly string[];
  readonly competence: Competence;

  constructor(fields: AuthorityFields) {
    this.id = fields.id;
    this.state = fields.state;
    this.name = fields.name;
    this.kind = fields.kind;
    this.endpoint = fields.endpoint;
    this.procedures = fields.procedures;
    this.keys = fields.keys;
    this.tlsPins = (fields.tlsPins ?? []).map(normaliseTlsPin);
    this.competence = fields.competence ?? {};
  }

  get publicKeys(): PublicKey[] {
    return this.keys.map((key) => key.publicKey);
  }

  key(fingerprint: string): DirectoryKey | undefined {
    return this.keys.find((key) => key.fingerprint === fingerprint);
  }

  /**
   * The key to encrypt to, and the one the authority signs with, at `at`: the newest (latest
   * validFrom) key that is valid, unexpired and unrevoked then. Undefined if there is none.
   */
  currentKey(at: Date): DirectoryKey | undefined {
    return this.keys
      .filter((key) => keyUsableAt(key, at))
      .reduce<DirectoryKey | undefined>(
        (newest, key) => (!newest || key.validFrom > newest.validFrom ? key : newest),
        undefined,
      );
  }

  /**
   * Why the key with this fingerprint could not have made a signature at `signedAt`, or undefined
   * if it could: the key must be this authority's, the signature made within its validity and
   * OpenPGP lifetime, before a soft revocation, and the key not revoked as compromised.
   */
  signatureRefusal(fingerprint: string, signedAt: Date): string | undefined {
    const key = this.key(fingerprint);
    const signed = `signed ${iso(signedAt)} by ${this.id}'s key ${fingerprint}`;
    if (!key) return `${signed}, which is not one of its directory keys`;
    if (key.revokedAt && key.revocationReason === 'key-compromised') {
      return `${signed}, revoked on ${iso(key.revokedAt)} as compromised: none of its signatures is accepted any more`;
    }
    if (key.revokedAt && signedAt >= key.revokedAt) {
      return `${signed} after its revocation on ${iso(key.revokedAt)} (${key.revocationReason ?? 'unspecified'})`;
    }
    if (signedAt < key.validFrom) {
      return `${signed} before the key became valid on ${iso(key.validFrom)}`;
    }
    if (key.validUntil && signedAt >= key.validUntil) {
      return `${signed} after the key's validity ended on ${iso(key.validUntil)}`;
    }
    if (key.expiresAt && signedAt >= key.expiresAt) {
      return `${signed} after the key expired on ${iso(key.expiresAt)}`;
    }
    return undefined;
  }
}

/** When a directory document was issued and by whom: what the node compares to refuse a rollback. */
export interface DirectoryVersion {
  issuedAt: Date;
  /** Fingerprint of the directory authority's key that signed the document. */
  signer: string;
  /** SHA-256 of the signed document as distributed. */
  documentSha256: string;
}

export class AuthorityDirectory {
  private readonly byId: ReadonlyMap<string, Authority>;

  constructor(
    authorities: Authority[],
    /** SHA-256 over the canonical directory, recorded in the audit trail at start-up. */
    readonly digest: string,
    /** Present when the directory came as a signed document. */
    readonly version?: DirectoryVersion,
  ) {
    this.byId = new Map(authorities.map((authority) => [authority.id, authority]));
  }

  find(id: string): Authority | undefined {
    return this.byId.get(id);
  }

  all(): Authority[] {
    return [...this.byId.values()];
  }
}
