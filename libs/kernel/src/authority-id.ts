/** An authority id: `FR-MOJ-BEPI`, its prefix the ISO 3166-1 alpha-2 code of its State. */
export const AUTHORITY_ID_PATTERN = /^[A-Z]{2}(-[A-Z0-9]{2,12}){1,4}$/;

/** The State an authority id names (an embassy's is its sending State's). */
export function stateOfAuthorityId(authorityId: string): string {
  return authorityId.slice(0, 2).toUpperCase();
}
