import { sql, type Kysely } from 'kysely';
import { rollbackRefusal, type AuthorityDirectory, type DirectoryVersion } from '#libs/directory';
import { ErrorCode, GatewayError } from '#libs/errors';
import type { Database } from './schema.js';

/**
 * Accepts a signed directory only if it was not issued before the latest one this node accepted
 * (that one's issue time and digest are kept in `directory_versions`): an attacker who replays an
 * older, validly signed directory cannot bring back a revoked key or an old endpoint. Every
 * process of the node checks at start-up, before the database is handed to anything else; the
 * acceptance of a newer directory and a refusal are both audited.
 */
export async function acceptDirectoryVersion(
  db: Kysely<Database>,
  directory: AuthorityDirectory,
  now: Date,
): Promise<void> {
  const candidate = directory.version;
  if (!candidate) return;
  const refusal = await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(current_schema() || ':directory'))`.execute(
      trx,
    );
    const { rows } = await sql<{ issued_at: Date; document_sha256: string; signer: string }>`
      select issued_at, document_sha256, signer from directory_versions
      order by issued_at desc limit 1`.execute(trx);
    const accepted: DirectoryVersion | undefined = rows[0] && {
      issuedAt: rows[0].issued_at,
      documentSha256: rows[0].document_sha256,
      signer: rows[0].signer,
    };
    const details = {
      issuedAt: candidate.issuedAt.toISOString(),
      documentSha256: candidate.documentSha256,
      signer: candidate.signer,
      digest: directory.digest,
    };
    const refusal = rollbackRefusal(accepted, candidate);
    if (refusal) {
      await audit(trx, now, 'directory.refused', {
        ...details,
        code: ErrorCode.DIRECTORY_ROLLBACK,
        reason: refusal,
        acceptedIssuedAt: accepted?.issuedAt.toISOString(),
      });
      return refusal;
    }
    if (accepted && accepted.issuedAt.getTime() === candidate.issuedAt.getTime()) return undefined;
    await sql`insert into directory_versions (issued_at, document_sha256, signer, accepted_at)
      values (${candidate.issuedAt}, ${candidate.documentSha256}, ${candidate.signer}, ${now})`.execute(
      trx,
    );
    await audit(trx, now, 'directory.accepted', details);
    return undefined;
  });
  if (refusal) throw new GatewayError(ErrorCode.DIRECTORY_ROLLBACK, refusal);
}

/** An audit entry, chained later like any other (libs/audit cannot be used before the database is). */
async function audit(
  trx: Kysely<Database>,
  now: Date,
  event: 'directory.accepted' | 'directory.refused',
  details: Record<string, unknown>,
): Promise<void> {
  await trx
    .insertInto('audit_log')
    .values({
      occurred_at: now,
      event,
      actor: 'system',
      message_id: null,
      correlation_id: null,
      details: JSON.stringify(details),
    })
    .execute();
}
