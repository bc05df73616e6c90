import fc from 'fast-check';
import {
  ChainVerifier,
  GENESIS_HASH,
  hashEntry,
  type AuditEntry,
  type AuditEvent,
  type ChainVerification,
} from './chain.js';

type Content = Pick<
  AuditEntry,
  'occurredAt' | 'event' | 'actor' | 'messageId' | 'correlationId' | 'details'
>;

const EVENTS: AuditEvent[] = [
  'configuration.loaded',
  'key.loaded',
  'message.sent',
  'message.retried',
  'message.delivered',
  'message.failed',
  'message.received',
  'message.duplicate',
  'message.rejected',
  'message.read',
  'receipt.rejected',
  'evidence.exported',
];

/** Chains entries the way AuditTrail.record does: seq from 1, each linked to the previous hash. */
function buildChain(contents: Content[]): AuditEntry[] {
  let prevHash = GENESIS_HASH;
  return contents.map((content, index) => {
    const unsigned = { seq: String(index + 1), ...content, prevHash };
    const entry: AuditEntry = { ...unsigned, hash: hashEntry(unsigned) };
    prevHash = entry.hash;
    return entry;
  });
}

function sample(count: number): AuditEntry[] {
  return buildChain(
    Array.from({ length: count }, (_, index) => ({
      occurredAt: new Date(Date.UTC(2026, 0, 1, 12, 0, index)).toISOString(),
      event: EVENTS[index % EVENTS.length],
      actor: index % 2 === 0 ? 'FR-MOJ-BEPI' : 'system',
      messageId: `0190d5c8-0000-7000-8000-${String(index).padStart(12, '0')}`,
      correlationId: `corr-${index}`,
      details: { code: 'OK', attempt: index, rule: ['H-1', 'UNTOC 18(15)(c)'] },
    })),
  );
}

/** Feeds entries in order, stopping as the real caller does when feed returns false. */
function verify(entries: AuditEntry[], head?: { seq: string; hash: string }): ChainVerification {
  const verifier = new ChainVerifier();
  for (const entry of entries) if (!verifier.feed(entry)) break;
  return verifier.result(head);
}

const headOf = (entries: AuditEntry[]) => {
  const last = entries[entries.length - 1];
  return { seq: last.seq, hash: last.hash };
};

const unsigned = ({ hash: _hash, ...rest }: AuditEntry) => rest;

/** Recomputes an entry's hash after a change, as an attacker with write access would. */
function rehash(entry: AuditEntry): AuditEntry {
  return { ...entry, hash: hashEntry(unsigned(entry)) };
}

describe('hashEntry', () => {
  const [entry] = sample(1);
  const content = unsigned(entry);

  it('is a SHA-256 hex digest, stable for the same content', () => {
    expect(hashEntry(content)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashEntry({ ...content, details: { ...content.details } })).toBe(hashEntry(content));
  });

  it('does not depend on the key order of details (canonical JSON, as after a jsonb round trip)', () => {
    const reordered = { rule: ['H-1', 'UNTOC 18(15)(c)'], attempt: 0, code: 'OK' };
    expect(hashEntry({ ...content, details: reordered })).toBe(hashEntry(content));
  });

  it('does not cover the hash field itself', () => {
    const stored: AuditEntry = { ...entry, hash: 'f'.repeat(64) };
    expect(hashEntry(stored)).toBe(entry.hash);
  });

  it.each<[string, Partial<AuditEntry>]>([
    ['seq', { seq: '2' }],
    ['occurredAt', { occurredAt: '2026-01-01T12:00:00.001Z' }],
    ['event', { event: 'message.read' }],
    ['actor', { actor: 'NG-MOJ-CA' }],
    ['messageId', { messageId: null }],
    ['correlationId', { correlationId: 'corr-other' }],
    ['details', { details: { code: 'OK', attempt: 1, rule: ['H-1', 'UNTOC 18(15)(c)'] } }],
    ['prevHash', { prevHash: '1'.repeat(64) }],
  ])('changes when %s changes', (_field, change) => {
    expect(hashEntry({ ...content, ...change })).not.toBe(entry.hash);
  });
});

describe('ChainVerifier', () => {
  it('verifies an honest chain of several entries, fed in batches', () => {
    const entries = sample(7);
    const verifier = new ChainVerifier();
    expect(entries.slice(0, 3).every((entry) => verifier.feed(entry))).toBe(true);
    expect(entries.slice(3).every((entry) => verifier.feed(entry))).toBe(true);

    expect(verifier.result(headOf(entries))).toEqual({
      ok: true,
      entries: 7,
      headSeq: '7',
      headHash: entries[6].hash,
    });
  });

  it('verifies an empty trail against the initial head', () => {
    expect(verify([], { seq: '0', hash: GENESIS_HASH })).toEqual({
      ok: true,
      entries: 0,
      headSeq: '0',
      headHash: GENESIS_HASH,
    });
  });

  it.each<[string, (entry: AuditEntry) => AuditEntry]>([
    ['details', (entry) => ({ ...entry, details: { ...entry.details, code: 'TAMPERED' } })],
    ['event', (entry) => ({ ...entry, event: 'message.delivered' })],
    ['actor', (entry) => ({ ...entry, actor: 'XX-ROGUE' })],
    ['occurredAt', (entry) => ({ ...entry, occurredAt: '2025-12-31T23:59:59.000Z' })],
    ['messageId', (entry) => ({ ...entry, messageId: null })],
    ['correlationId', (entry) => ({ ...entry, correlationId: 'corr-forged' })],
  ])('detects a modified %s as entry-hash-mismatch at that seq', (_field, tamper) => {
    const entries = sample(5);
    entries[2] = tamper(entries[2]);

    const verifier = new ChainVerifier();
    expect(verifier.feed(entries[0])).toBe(true);
    expect(verifier.feed(entries[1])).toBe(true);
    expect(verifier.feed(entries[2])).toBe(false);
    // Once broken, the caller can stop reading: later entries are refused.
    expect(verifier.feed(entries[3])).toBe(false);

    expect(verifier.result(headOf(entries))).toEqual({
      ok: false,
      entries: 2,
      headSeq: '2',
      headHash: entries[1].hash,
      firstBreak: { seq: '3', reason: 'entry-hash-mismatch' },
    });
  });

  it('detects an entry removed from the middle as a sequence gap at the missing seq', () => {
    const entries = sample(5);
    const result = verify([...entries.slice(0, 2), ...entries.slice(3)], headOf(entries));
    expect(result).toMatchObject({
      ok: false,
      entries: 2,
      firstBreak: { seq: '3', reason: 'sequence-gap' },
    });
  });

  it('detects swapped entries as a sequence gap', () => {
    const entries = sample(4);
    const result = verify([entries[0], entries[2], entries[1], entries[3]]);
    expect(result.firstBreak).toEqual({ seq: '2', reason: 'sequence-gap' });
  });

  it('detects an entry whose prevHash was rewritten', () => {
    const entries = sample(4);
    entries[1] = rehash({ ...entries[1], prevHash: '1'.repeat(64) });
    expect(verify(entries).firstBreak).toEqual({ seq: '2', reason: 'previous-hash-mismatch' });
  });

  it('catches a modified and re-hashed entry at the next entry', () => {
    const entries = sample(5);
    entries[2] = rehash({ ...entries[2], details: { code: 'FORGED' } });
    expect(verify(entries, headOf(sample(5)))).toMatchObject({
      ok: false,
      entries: 3,
      headSeq: '3',
      firstBreak: { seq: '4', reason: 'previous-hash-mismatch' },
    });
  });

  it('detects a truncated tail only when given the stored head', () => {
    const entries = sample(6);
    const truncated = entries.slice(0, 4);

    expect(verify(truncated).ok).toBe(true);
    expect(verify(truncated, headOf(entries))).toEqual({
      ok: false,
      entries: 4,
      headSeq: '4',
      headHash: entries[3].hash,
      firstBreak: { seq: '5', reason: 'sequence-gap' },
    });
  });

  it('detects a wholly deleted trail against the stored head', () => {
    const entries = sample(3);
    expect(verify([], headOf(entries)).firstBreak).toEqual({ seq: '1', reason: 'sequence-gap' });
  });

  it('names the last entry when it was rewritten and re-hashed but the head was not updated', () => {
    const entries = sample(4);
    const forged = [...entries.slice(0, 3), rehash({ ...entries[3], actor: 'XX-ROGUE' })];
    expect(verify(forged).ok).toBe(true);
    expect(verify(forged, headOf(entries))).toMatchObject({
      ok: false,
      entries: 4,
      firstBreak: { seq: '4', reason: 'entry-hash-mismatch' },
    });
  });

  it('reports the first break, not a later one', () => {
    const entries = sample(6);
    entries[1] = { ...entries[1], actor: 'XX-ROGUE' };
    entries[4] = { ...entries[4], actor: 'XX-ROGUE' };
    expect(verify(entries).firstBreak).toEqual({ seq: '2', reason: 'entry-hash-mismatch' });
  });

  describe('property: random chains', () => {
    const content: fc.Arbitrary<Content> = fc.record({
      occurredAt: fc
        .date({
          min: new Date('2020-01-01T00:00:00Z'),
          max: new Date('2100-01-01T00:00:00Z'),
          noInvalidDate: true,
        })
        .map((date) => date.toISOString()),
      event: fc.constantFrom(...EVENTS),
      actor: fc.oneof(fc.constant('system'), fc.string({ minLength: 1, maxLength: 30 })),
      messageId: fc.option(fc.uuid(), { nil: null }),
      correlationId: fc.option(fc.string({ maxLength: 40 }), { nil: null }),
      details: fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), {
        maxKeys: 5,
      }),
    });

    it('an honest chain always verifies; flipping one entry’s details breaks it exactly there', () => {
      fc.assert(
        fc.property(
          fc.array(content, { minLength: 1, maxLength: 25 }),
          fc.nat(),
          (contents, pick) => {
            const entries = buildChain(contents);
            const head = headOf(entries);
            expect(verify(entries, head)).toEqual({
              ok: true,
              entries: entries.length,
              headSeq: String(entries.length),
              headHash: head.hash,
            });

            const index = pick % entries.length;
            const { details } = entries[index];
            // Always a different document: `flip` is added or changed.
            const flipped = { ...details, flip: details.flip === 1 ? 2 : 1 };
            const tampered = entries.map((entry, i) =>
              i === index ? { ...entry, details: flipped } : entry,
            );
            expect(verify(tampered, head)).toEqual({
              ok: false,
              entries: index,
              headSeq: String(index),
              headHash: index === 0 ? GENESIS_HASH : entries[index - 1].hash,
              firstBreak: { seq: String(index + 1), reason: 'entry-hash-mismatch' },
            });
          },
        ),
      );
    });
  });
});
