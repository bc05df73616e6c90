import { GatewayError } from '#libs/errors';
import {
  assertTransition,
  canTransition,
  isFinal,
  OUTBOUND_STATUSES,
  sourcesOf,
} from './message-status.js';

describe('message status machine', () => {
  it('follows the delivery path and the retry loop', () => {
    expect(canTransition('queued', 'sending')).toBe(true);
    expect(canTransition('sending', 'waiting-for-receipt')).toBe(true);
    expect(canTransition('waiting-for-receipt', 'delivered')).toBe(true);
    // A receipt that comes with the answer to the envelope.
    expect(canTransition('sending', 'delivered')).toBe(true);
    expect(canTransition('sending', 'waiting-for-retry')).toBe(true);
    expect(canTransition('waiting-for-retry', 'sending')).toBe(true);
    expect(canTransition('received', 'read')).toBe(true);
  });

  it('never leaves a final status and never delivers without an attempt', () => {
    for (const to of OUTBOUND_STATUSES) {
      expect(canTransition('delivered', to)).toBe(false);
      // An operator's retry is the one way out of `failed`: back to the queue.
      expect(canTransition('failed', to)).toBe(to === 'queued');
    }
    expect(isFinal('failed')).toBe(true);
    expect(isFinal('waiting-for-retry')).toBe(false);
    expect(canTransition('queued', 'delivered')).toBe(false);
    expect(canTransition('waiting-for-retry', 'delivered')).toBe(false);
    expect(isFinal('delivered')).toBe(true);
    expect(() => assertTransition('read', 'received')).toThrow(GatewayError);
  });

  it('lists the statuses a transition may start from, for guarded updates', () => {
    expect(sourcesOf('delivered')).toEqual(['sending', 'waiting-for-receipt']);
    expect(sourcesOf('read')).toEqual(['received']);
    expect(sourcesOf('sending').sort()).toEqual([
      'queued',
      'sending',
      'waiting-for-receipt',
      'waiting-for-retry',
    ]);
    expect(sourcesOf('queued').sort()).toEqual(['failed', 'waiting-for-retry']);
  });
});
