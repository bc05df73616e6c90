import { CASEWORK, inScope, OutOfScopeError, scopeOf, type Principal } from '#libs/access';
import { PROCEDURES, type Procedure } from '#libs/envelope';
import { ErrorCode, GatewayError } from '#libs/errors';
import {
  ASYLUM_AUTHORITY_FACTS,
  FACT_FIELDS,
  type CaseFacts,
  type FactChange,
  type PersonFacts,
} from '#libs/policy';
import type { CaseFactsUpdate } from './case-facts.update.js';

/*
 * Who sees and changes which facts of a case (domain.md 1). Facts belong to the procedure under
 * which they were recorded: its caseworkers (a liaison officer: only for the JITs on their
 * account) and supervisors see all of them; the asylum authority sees and records the asylum facts
 * of every procedure, and nothing else. Any of them may tighten what they see; a relaxation needs
 * its owner (FACT_OWNERS), or a supervisor's written justification.
 */

/** All of a procedure's facts, or only the asylum facts. */
export type FactsView = 'all' | 'asylum';

export interface FactsAccess {
  readonly authorityId: string;
  readonly caseReference: string;
  /** What the caller sees of each procedure's facts in this case; absent: nothing. */
  readonly views: ReadonlyMap<Procedure, FactsView>;
  /** Procedures whose facts the caller records as one of their caseworkers (their owner). */
  readonly caseworkerOf: ReadonlySet<Procedure>;
  readonly asylumAuthority: boolean;
  readonly supervisor: boolean;
}

export function factsAccessOf(principal: Principal, caseReference: string): FactsAccess {
  const scope = scopeOf(principal);
  const asylumAuthority = principal.roles.includes('asylum-authority-officer');
  const views = new Map<Procedure, FactsView>();
  for (const procedure of PROCEDURES) {
    const item = { authorityId: principal.authorityId, procedure, caseReference };
    if (inScope(scope, item)) views.set(procedure, 'all');
    else if (asylumAuthority) views.set(procedure, 'asylum');
  }
  const caseworkerOf = new Set<Procedure>();
  for (const role of principal.roles) {
    if (role === 'supervisor') continue;
    if (role === 'liaison-officer' && !principal.jits.includes(caseReference)) continue;
    for (const procedure of CASEWORK[role] ?? []) caseworkerOf.add(procedure);
  }
  return {
    authorityId: principal.authorityId,
    caseReference,
    views,
    caseworkerOf,
    asylumAuthority,
    supervisor: principal.roles.includes('supervisor'),
  };
}

/** Answered like a case that does not exist: nothing tells whether it does (security S11). */
export function requireSomeView(access: FactsAccess): void {
  if (access.views.size === 0) {
    throw new OutOfScopeError(
      ErrorCode.CASE_NOT_FOUND,
      `case ${access.caseReference} has no facts you may see`,
      [{ field: 'reference' }],
    );
  }
}

/** The procedures whose facts the caller reads: one they name, or every one they see. */
export function proceduresToRead(access: FactsAccess, named?: Procedure): Procedure[] {
  requireSomeView(access);
  if (named === undefined) return [...access.views.keys()];
  if (!access.views.has(named)) {
    throw new GatewayError(
      ErrorCode.PERMISSION_DENIED,
      `your roles do not see the ${named} facts of this case`,
      [{ field: 'procedure' }],
    );
  }
  return [named];
}

/**
 * The procedure a change is recorded under: the only one the caller's roles record facts for, or
 * the one they name when they have several (a supervisor, the asylum authority).
 */
export function procedureToWrite(access: FactsAccess, named?: Procedure): Procedure {
  const candidates = proceduresToRead(access, named);
  if (candidates.length === 1) return candidates[0];
  throw new GatewayError(
    ErrorCode.VALIDATION_FAILED,
    `your roles record facts for several procedures (${candidates.join(', ')}): name the one in "procedure"`,
    [{ field: 'procedure', allowed: candidates }],
  );
}

const ASYLUM_PERSON = new Set<string>(ASYLUM_AUTHORITY_FACTS.person);
const ASYLUM_CASE = new Set<string>(ASYLUM_AUTHORITY_FACTS.case);
const IDENTITY = new Set(['personKey', 'personIndex']);

/** The asylum authority records asylum facts only: every other field is refused, by name. */
export function assertAsylumFactsOnly(update: CaseFactsUpdate): void {
  const refuse = (field: string) =>
    new GatewayError(
      ErrorCode.PERMISSION_DENIED,
      `the asylum authority records asylum facts only, not ${field}`,
      [{ field }],
    );
  for (const [name, value] of Object.entries(update)) {
    if (value === undefined || ASYLUM_CASE.has(name)) continue;
    if (name !== 'persons' || value === null) throw refuse(name);
  }
  (update.persons ?? []).forEach((person, position) => {
    for (const [name, value] of Object.entries(person)) {
      if (value === undefined || IDENTITY.has(name) || ASYLUM_PERSON.has(name)) continue;
      throw refuse(`persons.${position}.${name}`);
    }
  });
}

function pick<T extends object>(record: T, names: ReadonlySet<string>): Partial<T> {
  return Object.fromEntries(
    Object.entries(record).filter(([name, value]) => names.has(name) && value !== undefined),
  ) as Partial<T>;
}

/** What the asylum authority sees of a procedure's facts: the asylum facts and whom they are about. */
export function asylumView(facts: CaseFacts): CaseFacts {
  const persons = (facts.persons ?? [])
    .filter((person) => Object.keys(pick(person, ASYLUM_PERSON)).length > 0)
    .map((person) => pick(person, new Set([...IDENTITY, ...ASYLUM_PERSON])) as PersonFacts);
  return { ...pick(facts, ASYLUM_CASE), ...(persons.length > 0 && { persons }) };
}

export function viewOf(facts: CaseFacts, view: FactsView): CaseFacts {
  return view === 'all' ? facts : asylumView(facts);
}

const ASYLUM_FIELDS = new Set(
  FACT_FIELDS.filter((fact) => fact.owner === 'asylum-authority').map((fact) => fact.field),
);

/** Whether a change shows its values to a caller with this view of the procedure's facts. */
export function valuesVisible(field: string, view: FactsView): boolean {
  return view === 'all' || ASYLUM_FIELDS.has(field);
}

/** Whether the caller owns the relaxation: the asylum authority, or a caseworker of the procedure. */
export function ownsRelaxation(
  access: FactsAccess,
  procedure: Procedure,
  change: FactChange,
): boolean {
  return change.owners.some((owner) =>
    owner === 'asylum-authority' ? access.asylumAuthority : access.caseworkerOf.has(procedure),
  );
}
