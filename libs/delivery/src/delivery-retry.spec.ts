import fc from 'fast-check';
import { ErrorCode, GatewayError } from '#libs/errors';
import { OUTBOUND_STATUSES, type MessageStatus } from '#libs/messaging';
import {
  DELIVERY_STATES,
  deliveryStateOf,
  peerReasonOf,
  planRetry,
  statusesOf,
} from './delivery-retry.js';

const HOUR = 3_600_000;
// The defaults of config/gateway.json.
const limits = {
  retryWindowMs: 24 * HOUR,
  replayWindowMs: 26 * HOUR,
  requestTimeoutMs: 30_000,
  clockSkewMs: 300_000,
};
const now = new Date('2026-12-05T16:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const outbound = (status: MessageStatus, createdAt = ago(HOUR)) => ({
  direction: 'outbound',
  status,
  createdAt,
});

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error.code;
    throw error;
  }
  return undefined;
}

describe('the delivery view’s states', () => {
  it('covers every outbound status but delivered, each in exactly one state', () => {
    const covered = DELIVERY_STATES.flatMap((state) => statusesOf(state));
    expect([...covered].sort()).toEqual(OUTBOUND_STATUSES.filter((s) => s !== 'delivered').sort());
    expect(statusesOf().sort()).toEqual([...covered].sort());
    expect(deliveryStateOf('waiting-for-retry')).toBe('retrying');
    expect(deliveryStateOf('waiting-for-receipt')).toBe('queued');
    expect(deliveryStateOf('delivered')).toBeNull();
  });
});

describe('planRetry', () => {
  it('re-queues a failed or retrying message with a fresh window of the node', () => {
    for (const status of ['failed', 'waiting-for-retry'] as const) {
      expect(planRetry(outbound(status), now, limits)).toEqual({
        kind: 'requeue',
        retryUntil: new Date(now.getTime() + limits.retryWindowMs),
      });
    }
  });

  it('does nothing for a message queued or on the wire: a parallel retry enqueues no second job', () => {
    for (const status of ['queued', 'sending', 'waiting-for-receipt'] as const)
      expect(planRetry(outbound(status), now, limits)).toEqual({ kind: 'already-pending' });
  });

  it('refuses a delivered message (409 DELIVERY_ALREADY_DELIVERED) and an inbound one', () => {
    expect(codeOf(() => planRetry(outbound('delivered'), now, limits))).toBe(
      ErrorCode.DELIVERY_ALREADY_DELIVERED,
    );
    for (const status of ['received', 'read'] as const) {
      expect(
        codeOf(() => planRetry({ direction: 'inbound', status, createdAt: ago(1) }, now, limits)),
      ).toBe(ErrorCode.INVALID_STATUS_TRANSITION);
    }
  });

  it('cuts the window where peers would refuse the envelope as a replay, and refuses past it', () => {
    // Created 25 h ago: peers accept it for 26 h minus the request timeout and the clock skew.
    const plan = planRetry(outbound('failed', ago(25 * HOUR)), now, limits);
    expect(plan).toEqual({
      kind: 'requeue',
      retryUntil: new Date(now.getTime() + HOUR - 330_000),
    });
    expect(codeOf(() => planRetry(outbound('failed', ago(26 * HOUR)), now, limits))).toBe(
      ErrorCode.DELIVERY_RETRY_TOO_LATE,
    );
  });

  it('never plans a window past the node’s, past what peers accept, or already closed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 * HOUR }),
        fc.integer({ min: 1000, max: 48 * HOUR }),
        fc.integer({ min: 1000, max: 60 * HOUR }),
        fc.constantFrom<MessageStatus>('failed', 'waiting-for-retry'),
        (age, retryWindowMs, replayWindowMs, status) => {
          const bounds = { ...limits, retryWindowMs, replayWindowMs };
          const createdAt = ago(age);
          const acceptedUntil =
            createdAt.getTime() + replayWindowMs - bounds.requestTimeoutMs - bounds.clockSkewMs;
          let plan;
          try {
            plan = planRetry(outbound(status, createdAt), now, bounds);
          } catch (error) {
            expect((error as GatewayError).code).toBe(ErrorCode.DELIVERY_RETRY_TOO_LATE);
            expect(acceptedUntil).toBeLessThanOrEqual(now.getTime());
            return;
          }
          if (plan.kind !== 'requeue') throw new Error('a failed message is re-queued');
          const until = plan.retryUntil.getTime();
          expect(until).toBeGreaterThan(now.getTime());
          expect(until).toBeLessThanOrEqual(now.getTime() + retryWindowMs);
          expect(until).toBeLessThanOrEqual(acceptedUntil);
        },
      ),
    );
  });
});

describe('peerReasonOf', () => {
  const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000);
  const retried = {
    occurredAt: at(0),
    details: {
      reason: 'peer answered 503 QUEUE_UNAVAILABLE',
      peerStatus: 503,
      peerCode: 'QUEUE_UNAVAILABLE',
    },
  };

  it('reads a permanent refusal from the non-delivery evidence', () => {
    const evidence = {
      occurredAt: at(1),
      details: {
        reason: 'peer answered 422 ENVELOPE_EXPIRED (permanent refusal: not retried)',
        permanent: true,
        peerStatus: 422,
        peerCode: 'ENVELOPE_EXPIRED',
      },
    };
    expect(peerReasonOf(evidence, retried)).toEqual({
      code: 'ENVELOPE_EXPIRED',
      status: 422,
      message: 'peer answered 422 ENVELOPE_EXPIRED (permanent refusal: not retried)',
      permanent: true,
      at: at(1).toISOString(),
    });
  });

  it('takes the code of the last attempt when the window closed, the evidence naming none', () => {
    const closed = { occurredAt: at(2), details: { reason: retried.details.reason } };
    expect(peerReasonOf(closed, retried)).toMatchObject({
      code: 'QUEUE_UNAVAILABLE',
      status: 503,
      permanent: false,
      at: at(2).toISOString(),
    });
  });

  it('reads the last attempt of a message still retrying, and nothing for one never tried', () => {
    expect(peerReasonOf(undefined, retried)).toMatchObject({
      code: 'QUEUE_UNAVAILABLE',
      message: 'peer answered 503 QUEUE_UNAVAILABLE',
    });
    // An unreachable peer names no status or code.
    const unreachable = {
      occurredAt: at(3),
      details: { reason: 'peer unreachable: ECONNREFUSED' },
    };
    expect(peerReasonOf(undefined, unreachable)).toMatchObject({ code: null, status: null });
    expect(peerReasonOf(undefined, undefined)).toBeNull();
  });

  it('prefers what happened last: an attempt after an older evidence (a retry that failed again)', () => {
    const old = { occurredAt: at(-60), details: { reason: 'retry window closed' } };
    expect(peerReasonOf(old, retried)?.message).toBe(retried.details.reason);
  });
});
