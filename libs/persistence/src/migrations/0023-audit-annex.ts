import { sql, type Kysely } from 'kysely';

/**
 * Free text an audit entry records (a supervisor's justification, a rule's explanation quoting a
 * person's reference) moves out of the hash chain into a sealed annex beside it: the chained
 * `details` keep its SHA-256 (`annexSha256`), so the chain still verifies once retention erases the
 * annex (README, Retention). The append-only rule gains exactly one other change: an annex set to
 * null, with nothing else touched.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table audit_log add column annex bytea`.execute(db);
  await sql`
    create or replace function audit_log_append_only() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' and new.id = old.id and new.occurred_at = old.occurred_at
         and new.event = old.event and new.actor = old.actor
         and new.message_id is not distinct from old.message_id
         and new.correlation_id is not distinct from old.correlation_id
         and new.details = old.details then
        -- The chainer gives an unchained entry its place and hashes, once.
        if old.hash is null and old.seq is null and new.annex is not distinct from old.annex then
          return new;
        end if;
        -- Retention erases an annex, and nothing else.
        if new.seq is not distinct from old.seq and new.hash is not distinct from old.hash
           and new.prev_hash is not distinct from old.prev_hash
           and old.annex is not null and new.annex is null then
          return new;
        end if;
      end if;
      raise exception 'audit_log is append-only';
    end $$`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('the audit annex is not reversible: it holds evidence');
}
