import { Inject, Injectable } from '@nestjs/common';
import {
  KEY_VERSION,
  registrationHashes,
  type RegistrationIdentifiers,
} from '#libs/protection-register';
import { REGISTER_SECRET } from './register-secret.js';
import { RegisterIndex } from './register/register-index.js';
import {
  RegisterRepository,
  type ReviewRow,
  type ReviewStatus,
} from './register/register.repository.js';

/** Who changes the register: an asylum authority officer, for their own authority's entries. */
export interface RegisterOfficer {
  actor: string;
  authorityId: string;
}

/**
 * The protected-persons register as the asylum authority keeps it: keyed hashes of a person's
 * identifiers, the States to shield them from and, when there is one, a pending claim. Entries
 * belong to the asylum authority that made them and only it changes them; it answers "is this
 * person shielded from that State" and nothing else: no listing, no export.
 */
@Injectable()
export class ProtectedPersonsRegister {
  constructor(
    private readonly repository: RegisterRepository,
    private readonly index: RegisterIndex,
    @Inject(REGISTER_SECRET) private readonly secret: Buffer,
  ) {}

  /** Live entries the officer's authority holds. */
  size(officer: RegisterOfficer): Promise<number> {
    return this.repository.liveEntries(officer.authorityId);
  }

  register(
    person: RegistrationIdentifiers,
    shieldFrom: string[],
    claimPending: boolean,
    officer: RegisterOfficer,
  ): Promise<{ entryId: string }> {
    return this.repository.add({
      hashes: registrationHashes(this.secret, person),
      shieldFrom,
      claimPending,
      keyVersion: KEY_VERSION,
      owner: officer.authorityId,
      actor: officer.actor,
    });
  }

  /** False when the officer's authority has no live entry of that id. */
  remove(entryId: string, officer: RegisterOfficer): Promise<boolean> {
    return this.repository.remove(entryId, officer.authorityId, officer.actor);
  }

  reviews(officer: RegisterOfficer, status?: ReviewStatus): Promise<ReviewRow[]> {
    return this.repository.listReviews(officer.authorityId, status);
  }

  decideReview(
    reviewId: string,
    decision: 'confirmed' | 'cleared',
    reason: string,
    officer: RegisterOfficer,
  ): Promise<ReviewRow | undefined> {
    return this.repository.decide(reviewId, officer.authorityId, decision, reason, officer.actor);
  }

  /** The version this process decides on, and whether it is the stored one (health, tests). */
  async freshness(): Promise<{ version: string; current: boolean }> {
    try {
      await this.index.ensureCurrent();
      return { version: this.index.appliedVersion.toString(), current: true };
    } catch {
      return { version: this.index.appliedVersion.toString(), current: false };
    }
  }
}
