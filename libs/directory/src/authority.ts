import type { Procedure, PublicKey } from '#libs/envelope';

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

export interface Authority {
  /** `FR-MOJ-BEPI`: the prefix is the ISO 3166-1 alpha-2 code of the State it belongs to. */
  id: string;
  /** The State the authority belongs to; what counts for the safeguards (an embassy is its sending State's). */
  state: string;
  name: string;
  kind: AuthorityKind;
  /** Base URL of the authority's gateway node. */
  endpoint: string;
  fingerprint: string;
  publicKeyArmored: string;
  publicKey: PublicKey;
  procedures: Procedure[];
}

export class AuthorityDirectory {
  private readonly byId: ReadonlyMap<string, Authority>;

  constructor(
    authorities: Authority[],
    /** SHA-256 over the canonical directory, recorded in the audit trail at start-up. */
    readonly digest: string,
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
