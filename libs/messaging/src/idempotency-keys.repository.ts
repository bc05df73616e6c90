import { Injectable } from '@nestjs/common';
import { canonicalJson, sha256Hex } from '#libs/envelope';
import { ErrorCode, GatewayError } from '#libs/errors';
import { InjectDatabase, type Db } from '#libs/persistence';
import type { Trx } from './message.repository.js';

/** A submission's idempotency: who, under which key, for exactly which request. */
export interface Idempotency {
  username: string;
  key: string;
  requestSha256: string;
}

/** `Idempotency-Key` values: what clients generate (a UUID, a random token), printable ASCII. */
const KEY = /^[\x21-\x7e]{1,200}$/;

/** The idempotency of a request, or undefined without the header; refuses a malformed key. */
export function idempotencyOf(
  header: string | undefined,
  username: string,
  route: string,
  body: unknown,
): Idempotency | undefined {
  if (header === undefined) return undefined;
  if (!KEY.test(header)) {
    throw new GatewayError(
      ErrorCode.VALIDATION_FAILED,
      'Idempotency-Key must be 1 to 200 printable ASCII characters',
      [{ field: 'Idempotency-Key' }],
    );
  }
  return { username, key: header, requestSha256: sha256Hex(canonicalJson({ route, body })) };
}

/**
 * The first answer to each idempotent submission, written in the transaction that stores the
 * submission: a retry under the same key and body gets that answer, another body under the same
 * key is refused (422 IDEMPOTENCY_KEY_REUSED).
 */
@Injectable()
export class IdempotencyKeysRepository {
  constructor(@InjectDatabase() private readonly db: Db) {}

  async answerOf<T>(idempotency: Idempotency): Promise<T | undefined> {
    const row = await this.db
      .selectFrom('idempotency_keys')
      .select(['request_sha256', 'response'])
      .where('username', '=', idempotency.username)
      .where('key', '=', idempotency.key)
      .executeTakeFirst();
    if (!row) return undefined;
    if (row.request_sha256 !== idempotency.requestSha256) {
      throw new GatewayError(
        ErrorCode.IDEMPOTENCY_KEY_REUSED,
        'this Idempotency-Key was used for another request: use a new key for a new request',
        [{ field: 'Idempotency-Key' }],
      );
    }
    return row.response as T;
  }

  /**
   * Records the answer. A parallel twin that committed first makes this insert fail (unique key):
   * the caller's transaction rolls back and it answers with the twin's answer.
   */
  async record(trx: Trx, idempotency: Idempotency, response: object, now: Date): Promise<void> {
    await trx
      .insertInto('idempotency_keys')
      .values({
        username: idempotency.username,
        key: idempotency.key,
        request_sha256: idempotency.requestSha256,
        response: JSON.stringify(response),
        created_at: now,
      })
      .execute();
  }
}

/** PostgreSQL's unique_violation on the idempotency key. */
export function isIdempotencyConflict(error: unknown): boolean {
  const { code, constraint } = error as { code?: string; constraint?: string };
  return code === '23505' && constraint === 'idempotency_keys_pkey';
}
