import { sql, type Kysely, type Migration } from 'kysely';
import type { ColumnCipher } from '../column-cipher.js';

/** The row a case-facts ciphertext is bound to: the authority as well as the case reference. */
export function caseFactsRowId(authorityId: string, caseReference: string): string {
  return `${authorityId}\u0000${caseReference}`;
}

/**
 * Since 0005 two authorities served by one node may hold facts under one case reference: each
 * ciphertext is re-sealed bound to its authority too, so that one authority's facts moved onto
 * the other's row do not open.
 */
export function bindCaseFactsToAuthority(cipher: ColumnCipher): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const { rows } = await sql<{ authority: string; case_reference: string; facts: Buffer }>`
        select authority, case_reference, facts from case_facts for update`.execute(db);
      for (const row of rows) {
        const facts = cipher.open('case_facts.facts', row.case_reference, row.facts);
        const sealed = cipher.seal(
          'case_facts.facts',
          caseFactsRowId(row.authority, row.case_reference),
          facts,
        );
        await sql`update case_facts set facts = ${sealed}
          where authority = ${row.authority} and case_reference = ${row.case_reference}`.execute(
          db,
        );
      }
    },
    down(): Promise<void> {
      throw new Error('the case-facts binding is not reversible');
    },
  };
}
