import { Injectable } from '@nestjs/common';
import { InjectDatabase, type Db } from '#libs/persistence';
import type { VerifiedHeadStatement } from './head-statement.js';

/** The heads of peers' audit chains this node holds, each as its peer signed it. */
@Injectable()
export class AuditWitnesses {
  constructor(@InjectDatabase() private readonly db: Db) {}

  /**
   * Keeps a verified statement. The same authority, position and hash again adds nothing
   * (`stored: false`); `conflicting` tells whether another hash is held for that position.
   */
  async store(
    verified: VerifiedHeadStatement,
    armored: string,
    receivedAt: Date,
  ): Promise<{ stored: boolean; conflicting: string[] }> {
    const { statement } = verified;
    const inserted = await this.db
      .insertInto('audit_witnesses')
      .values({
        authority: statement.authority,
        seq: statement.seq,
        head_hash: statement.headHash,
        signed_at: new Date(statement.signedAt),
        signer_fingerprint: verified.signerFingerprint,
        statement: armored,
        received_at: receivedAt,
      })
      .onConflict((conflict) => conflict.constraint('audit_witnesses_statement_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    const others = await this.db
      .selectFrom('audit_witnesses')
      .select('head_hash')
      .where('authority', '=', statement.authority)
      .where('seq', '=', statement.seq)
      .where('head_hash', '!=', statement.headHash)
      .execute();
    return { stored: inserted !== undefined, conflicting: others.map((row) => row.head_hash) };
  }

  /** The latest statements held about one authority, newest position first. */
  async heldAbout(authority: string, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('audit_witnesses')
      .select('statement')
      .where('authority', '=', authority)
      .orderBy('seq', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => row.statement);
  }
}
