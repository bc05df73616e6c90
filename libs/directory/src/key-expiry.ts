import { keyEndsAt, keyUsableAt, type AuthorityDirectory, type DirectoryKey } from './authority.js';

const DAY_MS = 86_400_000;

export interface KeyExpiryWarning {
  authorityId: string;
  /** One of this node's own (hosted) authorities, or a peer. */
  owner: 'own' | 'peer';
  /** The key in use that ends; null when the authority has no usable key left. */
  fingerprint: string | null;
  endsAt: string | null;
  daysLeft: number;
  /** Why, in words: what ends the key and what it stops. */
  reason: string;
}

/** What ends the key first: its validity, its OpenPGP expiry or a scheduled revocation. */
function endingOf(key: DirectoryKey, end: Date): string {
  if (key.revokedAt?.getTime() === end.getTime()) return 'is revoked';
  if (key.validUntil?.getTime() === end.getTime()) return 'stops being valid';
  return 'expires (OpenPGP key expiry)';
}

/**
 * Authorities whose key in use stops being usable within the horizon with no successor in the
 * directory to take over, and those with no usable key at all. Certificate-expiry alerts 60 days
 * ahead are eDelivery practice (Domibus, domain.md section 6): an authority whose key lapses can
 * neither be written to nor be believed.
 */
export function keyExpiryWarnings(
  directory: AuthorityDirectory,
  ownAuthorityIds: readonly string[],
  now: Date,
  horizonDays: number,
): KeyExpiryWarning[] {
  const horizon = now.getTime() + horizonDays * DAY_MS;
  return directory.all().flatMap((authority): KeyExpiryWarning[] => {
    const owner = ownAuthorityIds.includes(authority.id) ? 'own' : 'peer';
    const stops =
      owner === 'own'
        ? 'this node can no longer sign or be written to'
        : 'messages to and from it are refused';
    const current = authority.currentKey(now);
    if (!current) {
      return [
        {
          authorityId: authority.id,
          owner,
          fingerprint: null,
          endsAt: null,
          daysLeft: 0,
          reason: `${authority.id} has no valid key in the directory: ${stops}`,
        },
      ];
    }
    const end = keyEndsAt(current);
    if (!end || end.getTime() > horizon) return [];
    const successor = authority.keys.some((key) => key !== current && keyUsableAt(key, end));
    if (successor) return [];
    const daysLeft = Math.floor((end.getTime() - now.getTime()) / DAY_MS);
    return [
      {
        authorityId: authority.id,
        owner,
        fingerprint: current.fingerprint,
        endsAt: end.toISOString(),
        daysLeft,
        reason: `${authority.id}'s key ${current.fingerprint} ${endingOf(current, end)} on ${end.toISOString()} (in ${daysLeft} days) and the directory lists no successor: after that ${stops}`,
      },
    ];
  });
}
