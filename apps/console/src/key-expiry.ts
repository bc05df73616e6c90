/** A directory key's dates, as GET /api/v1/directory answers them. */
export interface DirectoryKeyDates {
  validFrom: string;
  validUntil: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

/**
 * Where a key stands: revoked, expired (past its validity or its OpenPGP expiry), expiring within
 * the warning window, valid, or not yet valid (a rotation's next key, published ahead).
 */
export type KeyState = 'revoked' | 'expired' | 'expiring' | 'valid' | 'not-yet-valid';

/** How far ahead the console warns of a lapse; the node's own check warns 60 days ahead. */
export const EXPIRY_WARNING_DAYS = 30;

const DAY_MS = 86_400_000;

export interface KeyExpiry {
  state: KeyState;
  /** When the key stops being usable (the earliest of its end dates), if it ever does. */
  lapsesAt: string | null;
  /** Whole days left until it lapses, for a valid or expiring key with an end date. */
  daysLeft: number | null;
}

/** A key's expiry state as of `now`: revocation first, then its dates. */
export function keyExpiry(
  key: DirectoryKeyDates,
  now: Date,
  warningDays = EXPIRY_WARNING_DAYS,
): KeyExpiry {
  const at = now.getTime();
  const ends = [key.validUntil, key.expiresAt, key.revokedAt]
    .filter((date): date is string => date !== null)
    .map((date) => new Date(date).getTime());
  const lapse = ends.length > 0 ? Math.min(...ends) : null;
  const lapsesAt = lapse === null ? null : new Date(lapse).toISOString();
  if (key.revokedAt !== null && new Date(key.revokedAt).getTime() <= at) {
    return { state: 'revoked', lapsesAt, daysLeft: null };
  }
  if (lapse !== null && lapse <= at) return { state: 'expired', lapsesAt, daysLeft: null };
  if (new Date(key.validFrom).getTime() > at) {
    return { state: 'not-yet-valid', lapsesAt, daysLeft: null };
  }
  if (lapse === null) return { state: 'valid', lapsesAt, daysLeft: null };
  const daysLeft = Math.floor((lapse - at) / DAY_MS);
  return { state: lapse - at <= warningDays * DAY_MS ? 'expiring' : 'valid', lapsesAt, daysLeft };
}

/** A fingerprint short enough for a table: its last 16 hex digits (the OpenPGP key id), grouped. */
export function shortFingerprint(fingerprint: string): string {
  const hex = fingerprint.replace(/\s+/g, '').toUpperCase();
  return (hex.slice(-16).match(/.{1,4}/g) ?? []).join(' ');
}
