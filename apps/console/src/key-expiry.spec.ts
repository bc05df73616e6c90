/// <reference types="jest" />
import { keyExpiry, shortFingerprint, type DirectoryKeyDates } from './key-expiry.js';

const NOW = new Date('2026-12-05T12:00:00.000Z');
const key = (dates: Partial<DirectoryKeyDates>): DirectoryKeyDates => ({
  validFrom: '2026-01-01T00:00:00.000Z',
  validUntil: null,
  expiresAt: null,
  revokedAt: null,
  ...dates,
});
const daysFromNow = (days: number) => new Date(NOW.getTime() + days * 86_400_000).toISOString();

describe('keyExpiry', () => {
  it('says valid for a key without an end date, and for one lapsing after the warning window', () => {
    expect(keyExpiry(key({}), NOW)).toEqual({ state: 'valid', lapsesAt: null, daysLeft: null });
    expect(keyExpiry(key({ expiresAt: daysFromNow(31) }), NOW)).toMatchObject({
      state: 'valid',
      daysLeft: 31,
    });
  });

  it('warns of a key lapsing within 30 days, at the earliest of its end dates', () => {
    const expiring = keyExpiry(
      key({ validUntil: daysFromNow(90), expiresAt: daysFromNow(30) }),
      NOW,
    );
    expect(expiring).toEqual({ state: 'expiring', lapsesAt: daysFromNow(30), daysLeft: 30 });
    expect(keyExpiry(key({ validUntil: daysFromNow(2.5) }), NOW)).toMatchObject({
      state: 'expiring',
      daysLeft: 2,
    });
    // Another warning window (the node's own check warns 60 days ahead).
    expect(keyExpiry(key({ expiresAt: daysFromNow(45) }), NOW, 60).state).toBe('expiring');
  });

  it('says expired once either end date has passed, the very instant included', () => {
    expect(keyExpiry(key({ expiresAt: NOW.toISOString() }), NOW).state).toBe('expired');
    expect(
      keyExpiry(key({ validUntil: daysFromNow(-1), expiresAt: daysFromNow(400) }), NOW),
    ).toEqual({ state: 'expired', lapsesAt: daysFromNow(-1), daysLeft: null });
  });

  it('says revoked before anything else once revoked; a revocation ahead is the lapse date', () => {
    expect(
      keyExpiry(key({ revokedAt: daysFromNow(-3), expiresAt: daysFromNow(-10) }), NOW).state,
    ).toBe('revoked');
    expect(keyExpiry(key({ revokedAt: daysFromNow(10) }), NOW)).toEqual({
      state: 'expiring',
      lapsesAt: daysFromNow(10),
      daysLeft: 10,
    });
  });

  it('says not yet valid for a key published ahead of a rotation', () => {
    expect(
      keyExpiry(key({ validFrom: daysFromNow(1), expiresAt: daysFromNow(5) }), NOW).state,
    ).toBe('not-yet-valid');
  });
});

describe('shortFingerprint', () => {
  it('keeps the last 16 hex digits in groups of four, upper case', () => {
    expect(shortFingerprint('a1b2c3d4e5f60718293a4b5c6d7e8f9012345678')).toBe(
      '6D7E 8F90 1234 5678',
    );
  });
});
