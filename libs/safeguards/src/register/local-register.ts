import { Injectable } from '@nestjs/common';
import { AuditTrail } from '#libs/audit';
import { ErrorCode, GatewayError } from '#libs/errors';
import { KEY_VERSION } from '#libs/protection-register';
import type { RegisterAnswer, RegisterCheckHit, RegisterQuery } from './register-check.js';
import { RegisterIndex } from './register-index.js';
import { RegisterRepository } from './register.repository.js';

/**
 * Answers register checks against this node's register, for its own outgoing messages and for the
 * other nodes of its State. A hit is answered with the States to shield the person from, and,
 * when a message is about to be sent, opens a review for the entry's owner (never for the sender);
 * a hit the owner cleared for this requester and case is answered as cleared.
 */
@Injectable()
export class LocalRegister {
  constructor(
    private readonly index: RegisterIndex,
    private readonly repository: RegisterRepository,
    private readonly audit: AuditTrail,
  ) {}

  /** `storedVersion`: the register's version, when the caller read it already (RegisterIndex). */
  async answer(
    query: RegisterQuery,
    actor: string,
    storedVersion?: bigint,
  ): Promise<RegisterAnswer> {
    if (query.keyVersion !== KEY_VERSION) {
      throw new GatewayError(
        ErrorCode.REGISTER_KEY_VERSION_MISMATCH,
        `this register holds identifier keys of version ${KEY_VERSION}, not ${query.keyVersion}`,
        [{ field: 'keyVersion' }],
      );
    }
    const found = await this.index.lookup(
      query.persons.map((person) => person.hashes),
      storedVersion,
    );
    const entryIds = [...new Set(found.flat().map((hit) => hit.entryId))];
    if (entryIds.length === 0) return { hits: [], cleared: [] };
    const reviews = await this.repository.reviewsFor(
      entryIds,
      {
        requester: query.requester,
        caseReference: query.caseReference,
        recipientStates: [...query.recipientStates],
      },
      query.purpose === 'send',
      actor,
    );
    const hits: RegisterCheckHit[] = [];
    const cleared: RegisterAnswer['cleared'][number][] = [];
    query.persons.forEach((person, position) => {
      const matched = found[position];
      if (matched.length === 0) return;
      const standing = matched.filter((hit) => reviews.get(hit.entryId)?.status !== 'cleared');
      const references = (list: typeof matched) =>
        list.flatMap((hit) => {
          const review = reviews.get(hit.entryId);
          return review ? [review.id] : [];
        });
      if (standing.length === 0) {
        cleared.push({ personIndex: person.index, references: references(matched) });
        return;
      }
      hits.push({
        personIndex: person.index,
        shieldFrom: [...new Set(standing.flatMap((hit) => hit.shieldFrom))].sort(),
        claimPending: standing.some((hit) => hit.claimPending),
        references: references(standing),
      });
    });
    await this.audit.record({
      event: 'register.checked',
      actor,
      details: {
        purpose: query.purpose,
        requester: query.requester,
        caseReference: query.caseReference,
        recipientStates: query.recipientStates,
        persons: query.persons.length,
        hits: hits.map((hit) => ({ personIndex: hit.personIndex, references: hit.references })),
        cleared,
      },
    });
    return { hits, cleared };
  }
}
