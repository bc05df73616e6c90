import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { AuditTrail } from '#libs/audit';
import { Clock } from '#libs/node-config';
import { InjectDatabase, type Db } from '#libs/persistence';
import {
  checkPersons,
  ProtectedPersonsIndex,
  registrationHashes,
  type PersonCheckHit,
  type PersonIdentifiers,
  type RegistrationIdentifiers,
} from '#libs/protection-register';
import { REGISTER_SECRET } from './register-secret.js';

/**
 * The protected-persons register, kept by the asylum authority: keyed hashes of a person's
 * identifiers and the States to shield them from, held in memory for the policy decision point
 * and in PostgreSQL as the record. It answers "is this person shielded from that State" and
 * nothing else: no listing, no export.
 */
@Injectable()
export class ProtectedPersonsRegister implements OnModuleInit {
  private readonly index = new ProtectedPersonsIndex();

  constructor(
    @InjectDatabase() private readonly db: Db,
    @Inject(REGISTER_SECRET) private readonly secret: Buffer,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = await this.db
        .selectFrom('protected_persons')
        .select(['id', 'hashes', 'shield_from'])
        .where('id', '>', after)
        .orderBy('id')
        .limit(20_000)
        .execute();
      if (rows.length === 0) return;
      for (const row of rows) this.index.add(row.id, row.hashes, row.shield_from);
      after = rows[rows.length - 1].id;
    }
  }

  get size(): number {
    return this.index.size;
  }

  async register(
    person: RegistrationIdentifiers,
    shieldFrom: string[],
    actor: string,
  ): Promise<{ entryId: string }> {
    const entryId = uuidv7();
    const hashes = registrationHashes(this.secret, person);
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('protected_persons')
        .values({
          id: entryId,
          hashes,
          shield_from: shieldFrom,
          registered_at: now,
          registered_by: actor,
        })
        .execute();
      // The audit says that an entry exists, never whose.
      await this.audit.record(
        {
          event: 'register.entry-added',
          actor,
          details: { entryId, shieldFrom, identifierKeys: hashes.length },
        },
        trx,
      );
    });
    this.index.add(entryId, hashes, shieldFrom);
    return { entryId };
  }

  async remove(entryId: string, actor: string): Promise<boolean> {
    const removed = await this.db.transaction().execute(async (trx) => {
      const result = await trx
        .deleteFrom('protected_persons')
        .where('id', '=', entryId)
        .executeTakeFirst();
      if (result.numDeletedRows === 0n) return false;
      await this.audit.record(
        { event: 'register.entry-removed', actor, details: { entryId } },
        trx,
      );
      return true;
    });
    if (removed) this.index.remove(entryId);
    return removed;
  }

  check(persons: readonly PersonIdentifiers[]): PersonCheckHit[] {
    return checkPersons(this.index, this.secret, persons);
  }
}
