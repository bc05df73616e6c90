import { sql, type Kysely, type Migration } from 'kysely';
import type { ColumnCipher } from '../column-cipher.js';
import { caseFactsRowId } from './0007-case-facts-authority-binding.js';

/** The row a procedure's current facts are bound to: authority, case reference and procedure. */
export function procedureFactsRowId(
  authorityId: string,
  caseReference: string,
  procedure: string,
): string {
  return `${authorityId}\u0000${caseReference}\u0000${procedure}`;
}

/** The row one entry of the facts' history is bound to. */
export function caseFactsHistoryRowId(
  authorityId: string,
  caseReference: string,
  procedure: string,
  version: number,
): string {
  return `${procedureFactsRowId(authorityId, caseReference, procedure)}\u0000${version}`;
}

/** Procedures in the order a tie is settled. Frozen here: a migration never follows later code. */
const PROCEDURES = ['mla', 'jit', 'nationality-verification', 'assets'];
/** The procedures each role worked on when this migration was written (libs/access CASEWORK). */
const CASEWORK: Readonly<Record<string, readonly string[]>> = {
  'central-authority-officer': ['mla'],
  supervisor: PROCEDURES,
  'liaison-officer': ['jit'],
  'repatriation-officer': ['nationality-verification'],
  'asset-recovery-officer': ['assets'],
};

interface StoredFacts {
  authority: string;
  case_reference: string;
  facts: Buffer;
  updated_at: Date;
  updated_by: string;
}

function ordered(procedures: Iterable<string>): string[] {
  const set = new Set(procedures);
  return PROCEDURES.filter((procedure) => set.has(procedure));
}

/**
 * The procedure a document stored before 0008 is attributed to: the writer's, if their roles had
 * one; else the one of the case's requests among theirs; else the first in a fixed order.
 */
async function procedureOf(
  db: Kysely<unknown>,
  row: StoredFacts,
  roles: readonly string[],
): Promise<string> {
  const writer = ordered(roles.flatMap((role) => CASEWORK[role] ?? []));
  if (writer.length === 1) return writer[0];
  const { rows } = await sql<{ procedure: string }>`
    select distinct procedure from requests
     where authority = ${row.authority} and case_reference = ${row.case_reference}`.execute(db);
  const inCase = ordered(rows.map((r) => r.procedure));
  const both = writer.length === 0 ? inCase : inCase.filter((p) => writer.includes(p));
  if (both.length === 1) return both[0];
  return [...both, ...writer, ...inCase, 'mla'][0];
}

/** What a document held, as the first entry of its history lists it: fields, not changes. */
function recordedPaths(facts: Record<string, unknown>): Array<{ path: string; after: unknown }> {
  const entries: Array<{ path: string; after: unknown }> = [];
  for (const [name, value] of Object.entries(facts)) {
    if (name !== 'persons' || !Array.isArray(value)) {
      entries.push({ path: name, after: value });
      continue;
    }
    value.forEach((person: { personKey?: string; personIndex?: number }, position) => {
      const identity =
        person.personKey !== undefined
          ? `key=${person.personKey}`
          : person.personIndex !== undefined
            ? `index=${person.personIndex}`
            : `position=${position}`;
      entries.push({ path: `persons[${identity}]`, after: person });
    });
  }
  return entries;
}

/**
 * Case facts become a history of changes per procedure (who, when, what changed), with the
 * current facts kept beside it. Each document stored before is attributed to a procedure (see
 * `procedureOf`), re-sealed bound to it, and its writer becomes the first entry of its history,
 * in the direction `recorded`: what stood before the history was kept.
 */
export function recordCaseFactsHistory(cipher: ColumnCipher): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('case_facts_history')
        .addColumn('authority', 'text', (c) => c.notNull())
        .addColumn('case_reference', 'text', (c) => c.notNull())
        .addColumn('procedure', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('roles', sql`text[]`, (c) => c.notNull())
        .addColumn('direction', 'text', (c) =>
          c.notNull().check(sql`direction in ('recorded', 'tightened', 'neutral', 'relaxed')`),
        )
        // Paths, values before and after, justification: sealed like the facts themselves.
        .addColumn('change', 'bytea', (c) => c.notNull())
        .addPrimaryKeyConstraint('case_facts_history_pkey', [
          'authority',
          'case_reference',
          'procedure',
          'version',
        ])
        .execute();
      await sql`alter table case_facts add column procedure text, add column version integer`.execute(
        db,
      );

      const { rows } = await sql<StoredFacts>`
        select authority, case_reference, facts, updated_at, updated_by from case_facts
        for update`.execute(db);
      for (const row of rows) {
        const facts = cipher.open<Record<string, unknown>>(
          'case_facts.facts',
          caseFactsRowId(row.authority, row.case_reference),
          row.facts,
        );
        const username = row.updated_by.replace(/@[^@]*$/, '');
        const { rows: accounts } = await sql<{ roles: string[] }>`
          select roles from users where username = ${username}`.execute(db);
        const roles = accounts[0]?.roles ?? [];
        const procedure = await procedureOf(db, row, roles);
        const sealed = cipher.seal(
          'case_facts.facts',
          procedureFactsRowId(row.authority, row.case_reference, procedure),
          facts,
        );
        await sql`update case_facts set facts = ${sealed}, procedure = ${procedure}, version = 1
          where authority = ${row.authority} and case_reference = ${row.case_reference}`.execute(
          db,
        );
        const change = cipher.seal(
          'case_facts_history.change',
          caseFactsHistoryRowId(row.authority, row.case_reference, procedure, 1),
          {
            changes: recordedPaths(facts).map((entry) => ({ ...entry, direction: 'recorded' })),
          },
        );
        await sql`insert into case_facts_history
            (authority, case_reference, procedure, version, recorded_at, actor, roles, direction, change)
          values (${row.authority}, ${row.case_reference}, ${procedure}, 1, ${row.updated_at},
            ${row.updated_by}, ${roles}, 'recorded', ${change})`.execute(db);
      }

      await sql`alter table case_facts
        alter column procedure set not null,
        alter column version set not null,
        drop constraint case_facts_pkey,
        add primary key (authority, case_reference, procedure)`.execute(db);
    },
    down(): Promise<void> {
      throw new Error('the history of case facts is not reversible');
    },
  };
}
