import fc from 'fast-check';
import { v7 as uuidv7 } from 'uuid';
import { AuditTrail } from '#libs/audit';
import { Clock } from '#libs/node-config';
import { procedureFactsRowId } from '#libs/persistence';
import { freshDatabase, type FreshDatabase } from '../../../../test/support/database.js';
import { publishedCount, SMALL_CELL } from '../statistics-disclosure.js';
import { IndicatorSource } from './indicator-source.js';
import { OperationalIndicators, type OperationalIndicatorsAnswer } from './indicators.service.js';

/*
 * The indicators over generated rows in a real PostgreSQL schema: requests, their messages (sealed
 * payloads), deadlines, case facts (sealed) and the audit trail's policy refusals, as the gateway
 * writes them. Every published figure must be the true count rounded (never 1..4), suppressed
 * ones stay underivable, and a State filter returns the same figures as the whole answer.
 */

const AUTHORITY = 'FR-MOJ-BEPI';
const OFFICER = 'fr-moj-bepi.supervisor';
const COUNTERPARTS = ['NG-MOJ-CA', 'IT-MOJ-DAG', 'RO-PICCJ-DIICOT', 'AL-MOJ-DJ'];
const NOW = new Date('2026-10-15T10:00:00Z');

class FixedClock extends Clock {
  now(): Date {
    return new Date(NOW);
  }
}

const generated = fc.record({
  day: fc.integer({ min: 0, max: 180 }),
  counterpart: fc.constantFrom(...COUNTERPARTS, COUNTERPARTS[0], COUNTERPARTS[0]),
  requesting: fc.boolean(),
  kind: fc.constantFrom('mla', 'mla', 'return', 'freeze', 'block'),
  answeredAfterDays: fc.option(fc.integer({ min: 1, max: 200 }), { nil: undefined }),
  deadlineDays: fc.option(fc.integer({ min: 10, max: 120 }), { nil: undefined }),
  victims: fc.array(
    fc.record({
      sex: fc.constantFrom('female', 'male', 'female'),
      birthYear: fc.integer({ min: 1960, max: 2015 }),
      nationality: fc.constantFrom('NG', 'NG', 'RO', 'VN'),
    }),
    { maxLength: 3 },
  ),
  voluntary: fc.option(fc.boolean(), { nil: undefined }),
  amount: fc.integer({ min: 1_000, max: 50_000 }),
  rules: fc.subarray(['H-1', 'H-4', 'H-5'], { minLength: 1 }),
});

describe('operational indicators over PostgreSQL', () => {
  let database: FreshDatabase;
  let indicators: OperationalIndicators;
  const rows = fc.sample(generated, { numRuns: 220, seed: 20261205 });
  const at = (day: number) => new Date(Date.UTC(2026, 3, 1) + day * 86_400_000);

  beforeAll(async () => {
    database = await freshDatabase('indicators');
    const { db, cipher } = database;
    const clock = new FixedClock();
    await db
      .insertInto('users')
      .values({
        username: OFFICER,
        kind: 'person',
        authority: AUTHORITY,
        roles: ['supervisor'],
        created_at: NOW,
        created_by: 'test',
        notification_preferences: '{}',
      })
      .execute();
    for (const [index, row] of rows.entries()) {
      const opened = at(row.day);
      const caseReference = `CASE-${index}`;
      if (row.kind === 'block') {
        await db
          .insertInto('audit_log')
          .values({
            occurred_at: opened,
            event: 'policy.refused',
            actor: OFFICER,
            details: JSON.stringify({
              procedure: 'nationality-verification',
              findings: row.rules.map((ruleId) => ({ ruleId, severity: 'block' })),
            }),
          })
          .execute();
        continue;
      }
      const procedure =
        row.kind === 'mla' ? 'mla' : row.kind === 'return' ? 'nationality-verification' : 'assets';
      const requestId = uuidv7();
      await db
        .insertInto('cases')
        .values({ reference: caseReference, opened_at: opened, opened_by: OFFICER })
        .execute();
      const role =
        row.kind === 'mla' ? (row.requesting ? 'requesting' : 'requested') : 'requesting';
      await db
        .insertInto('requests')
        .values({
          id: requestId,
          authority: AUTHORITY,
          case_reference: caseReference,
          procedure,
          role,
          counterparts: [row.counterpart],
          status: 'submitted',
          state: cipher.seal('requests.state', requestId, { procedure }),
          deadline_profiles: [],
          suggested_deadline: null,
          opened_at: opened,
          updated_at: opened,
        })
        .execute();
      const message = async (type: string, created: Date, body: Record<string, unknown>) => {
        const id = uuidv7();
        await db
          .insertInto('messages')
          .values({
            id,
            direction: 'outbound',
            status: 'delivered',
            procedure,
            message_type: type,
            sender: AUTHORITY,
            recipient: row.counterpart,
            case_reference: caseReference,
            in_reply_to: null,
            request_id: requestId,
            created_at: created,
            payload: cipher.seal('messages.payload', id, { messageId: id, body }),
            correlation_id: id,
            retry_until: null,
            status_changed_at: created,
          })
          .execute();
      };
      const persons = row.victims.map((victim) => ({
        names: { familyNames: ['X'] },
        roles: ['victim'],
        sex: victim.sex,
        dateOfBirth: String(victim.birthYear),
        nationalities: [victim.nationality],
      }));
      if (row.kind === 'mla') {
        await message('request', opened, {
          persons,
          offence: { exploitationForms: ['forced-labour'] },
        });
        if (row.deadlineDays !== undefined) {
          const deadlineId = uuidv7();
          await db
            .insertInto('deadlines')
            .values({
              id: deadlineId,
              request_id: requestId,
              profile_id: 'untoc-mla-suggested',
              status: 'running',
              due_at: new Date(opened.getTime() + row.deadlineDays * 86_400_000),
              clock: cipher.seal('deadlines.clock', deadlineId, {}),
              executing_state: 'NG',
              time_zone: 'UTC',
              updated_at: opened,
            })
            .execute();
        }
        if (row.answeredAfterDays !== undefined) {
          await message(
            'execution-result',
            new Date(opened.getTime() + row.answeredAfterDays * 86_400_000),
            {},
          );
        }
      } else if (row.kind === 'return') {
        await message('verification-request', opened, { person: persons[0] ?? { sex: 'female' } });
        await message('travel-document-issued', new Date(opened.getTime() + 86_400_000), {});
        await db
          .insertInto('case_facts')
          .values({
            authority: AUTHORITY,
            case_reference: caseReference,
            procedure: 'nationality-verification',
            version: 1,
            facts: cipher.seal(
              'case_facts.facts',
              procedureFactsRowId(AUTHORITY, caseReference, 'nationality-verification'),
              {
                persons: [
                  {
                    subjectOfCase: true,
                    returnVoluntary: row.voluntary,
                    riskAssessment: { done: true, outcome: 'no-risk' },
                    asylum: {
                      status: row.voluntary === false ? 'pending' : 'none',
                      shieldFrom: [],
                    },
                  },
                ],
              },
            ),
            updated_at: opened,
            updated_by: OFFICER,
          })
          .execute();
      } else {
        await message('freeze', opened, {});
        await message('freezing-confirmation', opened, {
          assets: [{ amount: { amount: row.amount, currency: 'EUR' } }],
        });
      }
    }
    indicators = new OperationalIndicators(
      new IndicatorSource(db, cipher),
      new AuditTrail(db, clock, cipher),
      clock,
    );
  });

  afterAll(() => database.close());

  const ask = (query: Record<string, string> = {}) =>
    indicators.answer(
      { authorityId: AUTHORITY, actor: OFFICER, correlationId: 'int-indicators' },
      { from: '2026-04-01', to: '2026-09-30', ...query },
    );

  function population(
    answer: OperationalIndicatorsAnswer,
    period: string,
    indicator: string,
    procedure = 'mla',
  ) {
    return answer.populations.find(
      (p) => p.period === period && p.indicator === indicator && p.procedure === procedure,
    );
  }

  const quarter = (date: Date) => `2026-Q${Math.floor(date.getUTCMonth() / 3) + 1}`;

  it('publishes every count as the true one rounded, and none in 1..4', async () => {
    const answer = await ask();
    expect(answer.periods).toEqual(['2026-Q2', '2026-Q3']);
    for (const period of answer.periods) {
      const sent = rows.filter(
        (r) => r.kind === 'mla' && r.requesting && quarter(at(r.day)) === period,
      );
      const published = population(answer, period, 'requests-sent')!;
      expect(published.procedure).toBe('mla');
      if (published.total !== null) expect(published.total).toBe(publishedCount(sent.length));
      const states = published.breakdowns.find((b) => b.dimension === 'state')!.cells;
      for (const cell of states) {
        if (cell.value === 'other' || cell.count === null) continue;
        const truth = sent.filter((r) => r.counterpart.startsWith(cell.value)).length;
        expect(cell.count).toBe(publishedCount(truth));
      }
      const victims = population(answer, period, 'victims')!;
      const bySex = victims.breakdowns.find((b) => b.dimension === 'sex')!.cells;
      for (const cell of bySex) {
        const truth = rows
          .filter((r) => r.kind === 'mla' && quarter(at(r.day)) === period)
          .flatMap((r) => r.victims)
          .filter((v) => v.sex === cell.value).length;
        if (cell.count !== null) expect(cell.count).toBe(publishedCount(truth));
        else
          expect(
            truth < SMALL_CELL ||
              victims.total === null ||
              bySex.filter((c) => c.count === null).length >= 2,
          ).toBe(true);
      }
    }
    const counts = answer.populations.flatMap((p) => [
      p.total,
      ...p.breakdowns.flatMap((b) => b.cells.map((c) => c.count)),
    ]);
    expect(counts.some((count) => count !== null)).toBe(true);
    for (const count of counts)
      if (count !== null) expect(count % 5 === 0 && count >= SMALL_CELL).toBe(true);
  });

  it('counts returns by how they were prepared, blocks by rule, and sums what was frozen', async () => {
    const answer = await ask();
    const q2 = (r: (typeof rows)[number]) => quarter(at(r.day)) === '2026-Q2';
    const returns = population(answer, '2026-Q2', 'returns', 'nationality-verification')!;
    const voluntary = returns.breakdowns.find((b) => b.dimension === 'voluntary')!.cells;
    const truthVoluntary = rows.filter(
      (r) => r.kind === 'return' && q2(r) && r.voluntary === true,
    ).length;
    const shown = voluntary.find((c) => c.value === 'voluntary')!;
    if (shown.count !== null) expect(shown.count).toBe(publishedCount(truthVoluntary));
    expect(
      returns.breakdowns.find((b) => b.dimension === 'safety')!.cells.map((c) => c.value),
    ).toEqual(['assessed-safe']);
    const blocks = population(answer, '2026-Q2', 'policy-blocks', 'nationality-verification')!;
    for (const cell of blocks.breakdowns[0].cells) {
      const truth = rows.filter(
        (r) => r.kind === 'block' && q2(r) && r.rules.includes(cell.value),
      ).length;
      if (cell.count !== null) expect(cell.count).toBe(publishedCount(truth));
    }
    const frozen = rows.filter((r) => r.kind === 'freeze' && q2(r)).map((r) => r.amount);
    const sum = answer.frozenValues.find((v) => v.period === '2026-Q2' && v.currency === 'EUR')!;
    const exact = frozen.reduce((a, b) => a + b, 0);
    expect(sum.amount).not.toBeNull();
    expect(Math.abs(sum.amount! - exact)).toBeLessThanOrEqual(exact * 0.05);
    const responses = population(answer, '2026-Q3', 'mla-responses')!;
    const executed = responses.breakdowns
      .find((b) => b.dimension === 'outcome')!
      .cells.find((c) => c.value === 'executed')!;
    const answeredInQ3 = rows.filter(
      (r) =>
        r.kind === 'mla' &&
        r.answeredAfterDays !== undefined &&
        quarter(new Date(at(r.day).getTime() + r.answeredAfterDays * 86_400_000)) === '2026-Q3',
    );
    if (executed.count !== null) expect(executed.count).toBe(publishedCount(answeredInQ3.length));
    expect(responses.total).toBe(publishedCount(answeredInQ3.length));
    expect(responses.medianResponseDays).toMatch(/^(0-30|31-60|61-90|91-180|181\+)$/);
    expect(
      answer.populations.some((p) => p.indicator === 'requests-sent' && p.procedure === 'assets'),
    ).toBe(false);
    const referrals = answer.populations.filter((p) => p.indicator === 'asylum-referrals');
    expect(referrals.length).toBeGreaterThan(0);
  });

  it('a State filter and a day more return the same published figures as the whole answer', async () => {
    const whole = await ask();
    const nigeria = await ask({ state: 'NG' });
    expect(nigeria.populations.length).toBeGreaterThan(0);
    for (const p of nigeria.populations) {
      const canonical = population(whole, p.period, p.indicator, p.procedure)!;
      const cell = canonical.breakdowns
        .find((b) => b.dimension === 'state')!
        .cells.find((c) => c.value === 'NG');
      expect(p.breakdowns).toEqual([{ dimension: 'state', cells: [cell] }]);
      expect(p.total).toBe(canonical.total);
    }
    expect(await ask({ to: '2026-09-29' })).toEqual(whole);
    expect(await ask({ from: '2026-05-17' })).toEqual(whole);
  });

  it('refuses a query it cannot answer with STATISTICS_QUERY_INVALID, audited', async () => {
    await expect(ask({ procedure: 'tax' })).rejects.toMatchObject({
      code: 'STATISTICS_QUERY_INVALID',
      details: [{ field: 'procedure' }],
    });
    await expect(ask({ by: 'religion' })).rejects.toMatchObject({ details: [{ field: 'by' }] });
    const audited = await database.db
      .selectFrom('audit_log')
      .select(['event', 'details'])
      .where('event', 'in', ['statistics.query-refused', 'statistics.indicators-read'])
      .execute();
    expect(audited.filter((e) => e.event === 'statistics.query-refused')).toHaveLength(2);
    expect(audited.filter((e) => e.event === 'statistics.indicators-read').length).toBeGreaterThan(
      0,
    );
  });
});
