import { sql, type Kysely } from 'kysely';

/**
 * Every deadline timer (each reminder and the expiry of a running clock) as a row, so that
 * PostgreSQL is their system of record and Redis holds only those due within a short horizon.
 * A timer is keyed by its deadline, kind and rank (the reminder's order, 0 for the expiry); it takes
 * a new `version` from one sequence whenever it is created, moved or re-armed (even after a pause
 * removed it), so that a job queued for an earlier version finds nothing to fire. `fired_at` is set by the conditional update that claims it: a timer fires
 * once, however many jobs carry it. The horizon feed reads the open timers in due order.
 *
 * Running deadlines stored before this migration have no timer rows yet: `timers_pending` marks
 * them, and the worker derives their timers once (it needs the deadline profiles, which SQL lacks),
 * soonest due first. It marks them again when their profile changes (reminders, durations): the
 * digest of each profile in force is kept in `deadline_profile_digests`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create sequence deadline_timer_versions`.execute(db);
  await db.schema
    .createTable('deadline_timers')
    .addColumn('deadline_id', 'uuid', (c) =>
      c.notNull().references('deadlines.id').onDelete('cascade'),
    )
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('rank', 'integer', (c) => c.notNull())
    .addColumn('request_id', 'uuid', (c) => c.notNull())
    .addColumn('authority', 'text', (c) => c.notNull())
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('fired_at', 'timestamptz')
    .addColumn('version', 'bigint', (c) =>
      c.notNull().defaultTo(sql`nextval('deadline_timer_versions')`),
    )
    .addPrimaryKeyConstraint('deadline_timers_pkey', ['deadline_id', 'kind', 'rank'])
    .addCheckConstraint('deadline_timers_kind_check', sql`kind in ('reminder', 'expiry')`)
    .execute();
  // The horizon feed: open timers in due order, the key breaking ties for keyset paging.
  await sql`create index deadline_timers_open_due_idx on deadline_timers (due_at, deadline_id, kind, rank)
    where fired_at is null`.execute(db);

  await db.schema
    .alterTable('deadlines')
    .addColumn('timers_pending', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await sql`update deadlines set timers_pending = true where status = 'running'`.execute(db);
  await sql`create index deadlines_timers_pending_idx on deadlines (due_at) where timers_pending`.execute(
    db,
  );
  await db.schema
    .createTable('deadline_profile_digests')
    .addColumn('profile_id', 'text', (c) => c.primaryKey())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('the deadline timers schema is not reversible');
}
