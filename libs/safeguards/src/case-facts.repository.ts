import { Injectable } from '@nestjs/common';
import { AuditTrail } from '#libs/audit';
import { Clock } from '#libs/node-config';
import { caseFactsRowId, ColumnCipher, InjectDatabase, type Db } from '#libs/persistence';
import type { CaseFacts } from '#libs/policy';

/** What this authority knows about a case's persons: the facts the safeguards decide on. Local only. */
@Injectable()
export class CaseFactsRepository {
  constructor(
    @InjectDatabase() private readonly db: Db,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    private readonly cipher: ColumnCipher,
  ) {}

  async get(authorityId: string, caseReference: string | null | undefined): Promise<CaseFacts> {
    if (!caseReference) return {};
    const row = await this.db
      .selectFrom('case_facts')
      .select('facts')
      .where('authority', '=', authorityId)
      .where('case_reference', '=', caseReference)
      .executeTakeFirst();
    return row
      ? this.cipher.open<CaseFacts>(
          'case_facts.facts',
          caseFactsRowId(authorityId, caseReference),
          row.facts,
        )
      : {};
  }

  async put(
    authorityId: string,
    caseReference: string,
    facts: CaseFacts,
    actor: string,
  ): Promise<void> {
    const now = this.clock.now();
    const sealed = this.cipher.seal(
      'case_facts.facts',
      caseFactsRowId(authorityId, caseReference),
      facts,
    );
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('case_facts')
        .values({
          authority: authorityId,
          case_reference: caseReference,
          facts: sealed,
          updated_at: now,
          updated_by: actor,
        })
        .onConflict((oc) =>
          oc
            .columns(['authority', 'case_reference'])
            .doUpdateSet({ facts: sealed, updated_at: now, updated_by: actor }),
        )
        .execute();
      // Which facts changed is for the case file; the audit records that they did, and by whom.
      await this.audit.record(
        {
          event: 'case-facts.updated',
          actor,
          details: { caseReference, persons: facts.persons?.length ?? 0 },
        },
        trx,
      );
    });
  }
}
