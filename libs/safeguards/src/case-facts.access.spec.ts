import { OutOfScopeError, type Principal, type Role } from '#libs/access';
import { ErrorCode, GatewayError } from '#libs/errors';
import { classifyFactChanges, type CaseFacts } from '#libs/policy';
import {
  assertAsylumFactsOnly,
  asylumView,
  factsAccessOf,
  ownsRelaxation,
  procedureToWrite,
  proceduresToRead,
} from './case-facts.access.js';

const AUTHORITY = 'FR-MOJ-BEPI';
const CASE = 'FR-2026-7';

const principal = (roles: Role[], jits: string[] = []): Principal => ({
  username: roles.join('+'),
  kind: 'person',
  authorityId: AUTHORITY,
  roles,
  jits,
});

function thrown(work: () => unknown): unknown {
  try {
    work();
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('who sees and changes which facts of a case', () => {
  it('shows each caseworker the facts of their procedure only, a supervisor all', () => {
    const views = (roles: Role[], jits: string[] = []) =>
      Object.fromEntries(factsAccessOf(principal(roles, jits), CASE).views);
    expect(views(['central-authority-officer'])).toEqual({ mla: 'all' });
    expect(views(['repatriation-officer'])).toEqual({ 'nationality-verification': 'all' });
    expect(views(['liaison-officer'], [CASE])).toEqual({ jit: 'all' });
    expect(views(['liaison-officer'], ['FR-2026-8'])).toEqual({});
    expect(views(['supervisor'])).toEqual({
      mla: 'all',
      jit: 'all',
      'nationality-verification': 'all',
      assets: 'all',
    });
    expect(views(['asylum-authority-officer'])).toEqual({
      mla: 'asylum',
      jit: 'asylum',
      'nationality-verification': 'asylum',
      assets: 'asylum',
    });
    expect(views(['asylum-authority-officer', 'central-authority-officer'])).toMatchObject({
      mla: 'all',
      jit: 'asylum',
    });
  });

  it('answers a liaison officer outside their JITs as for a case that does not exist', () => {
    const access = factsAccessOf(principal(['liaison-officer'], ['FR-2026-8']), CASE);
    const error = thrown(() => proceduresToRead(access));
    expect(error).toBeInstanceOf(OutOfScopeError);
    expect((error as GatewayError).code).toBe(ErrorCode.CASE_NOT_FOUND);
  });

  it('records under the only procedure a caseworker has, and asks the others to name one', () => {
    expect(procedureToWrite(factsAccessOf(principal(['liaison-officer'], [CASE]), CASE))).toBe(
      'jit',
    );
    const supervisor = factsAccessOf(principal(['supervisor']), CASE);
    expect((thrown(() => procedureToWrite(supervisor)) as GatewayError).details[0].field).toBe(
      'procedure',
    );
    expect(procedureToWrite(supervisor, 'assets')).toBe('assets');
    const liaison = factsAccessOf(principal(['liaison-officer'], [CASE]), CASE);
    const refused = thrown(() => procedureToWrite(liaison, 'mla')) as GatewayError;
    expect(refused.code).toBe(ErrorCode.PERMISSION_DENIED);
  });

  it('lets the owner relax: the asylum authority for asylum facts, the procedure’s caseworkers for the rest', () => {
    const before: CaseFacts = {
      persons: [
        { personKey: 'P1', asylum: { status: 'pending', shieldFrom: ['NG'] }, victim: true },
      ],
    };
    const changes = classifyFactChanges(before, {
      persons: [{ personKey: 'P1', asylum: { status: 'none', shieldFrom: ['NG'] }, victim: false }],
    });
    const asylum = changes.find((c) => c.field === 'persons[].asylum.status')!;
    const victim = changes.find((c) => c.field === 'persons[].victim')!;
    const owns = (roles: Role[], jits: string[] = []) => [
      ownsRelaxation(factsAccessOf(principal(roles, jits), CASE), 'mla', asylum),
      ownsRelaxation(factsAccessOf(principal(roles, jits), CASE), 'mla', victim),
    ];
    expect(owns(['central-authority-officer'])).toEqual([false, true]);
    expect(owns(['asylum-authority-officer'])).toEqual([true, false]);
    expect(owns(['supervisor'])).toEqual([false, false]);
    expect(owns(['liaison-officer'], [CASE])).toEqual([false, false]);
  });

  it('lets the asylum authority record asylum facts only, naming what it may not', () => {
    expect(() =>
      assertAsylumFactsOnly({
        asylumFlagsInCase: true,
        persons: [{ personKey: 'P1', asylum: { status: 'pending', shieldFrom: [] } }],
      }),
    ).not.toThrow();
    for (const [update, field] of [
      [{ legalBasisRecorded: true }, 'legalBasisRecorded'],
      [{ persons: null }, 'persons'],
      [{ persons: [{ personKey: 'P1', victim: false }] }, 'persons.0.victim'],
    ] as const) {
      const error = thrown(() => assertAsylumFactsOnly(update)) as GatewayError;
      expect([error.code, error.details[0].field]).toEqual([ErrorCode.PERMISSION_DENIED, field]);
    }
  });

  it('shows the asylum authority the asylum facts and whom they are about, nothing else', () => {
    expect(
      asylumView({
        legalBasisRecorded: true,
        asylumAuthoritySignOff: 'SO-1',
        persons: [
          { personKey: 'P1', label: 'V-1', victim: true, nonRefoulementRiskOpen: true },
          { personIndex: 2, victim: true },
        ],
      }),
    ).toEqual({
      asylumAuthoritySignOff: 'SO-1',
      persons: [{ personKey: 'P1', nonRefoulementRiskOpen: true }],
    });
  });
});
