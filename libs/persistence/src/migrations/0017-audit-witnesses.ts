import { sql, type Kysely } from 'kysely';

/**
 * What this node witnesses of its peers' audit trails (README, "Peers witness the audit trail"):
 * each peer's signed statement of its chain head, as received. One row per authority, position
 * and hash: the same statement sent again is stored once; two hashes for one position are both
 * kept, as evidence that the peer's history forked.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_witnesses')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('authority', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('head_hash', 'text', (c) => c.notNull())
    .addColumn('signed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('signer_fingerprint', 'text', (c) => c.notNull())
    // The cleartext-signed statement exactly as received: anyone can verify it with gpg.
    .addColumn('statement', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('audit_witnesses_statement_key', ['authority', 'seq', 'head_hash'])
    .execute();
  await sql`create index audit_witnesses_authority_seq_idx on audit_witnesses (authority, seq desc)`.execute(
    db,
  );
  // Evidence for the peer, not for this node to edit: rows are added, never changed.
  await sql`
    create function audit_witnesses_immutable() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_witnesses rows are never updated';
    end $$`.execute(db);
  await sql`
    create trigger audit_witnesses_immutable before update on audit_witnesses
    for each row execute function audit_witnesses_immutable()`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('the audit witnesses schema is not reversible');
}
