import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuthorityDirectory, type Authority } from '#libs/directory';
import { isGatewayError } from '#libs/errors';
import { NodeIdentity } from '#libs/node-config';
import { KEY_VERSION, personHashes, type PersonIdentifiers } from '#libs/protection-register';
import { REGISTER_SECRET } from '../register-secret.js';
import { LocalRegister } from './local-register.js';
import type { CheckPurpose, RegisterAnswer, RegisterCheckHit } from './register-check.js';
import { RemoteRegisterClient } from './remote-register.client.js';

/** This node itself, as a register consulted. */
export const LOCAL_REGISTER = 'local';

export interface NationalCheck {
  readonly purpose: CheckPurpose;
  /** The sending authority. */
  readonly requester: string;
  readonly caseReference: string | null;
  readonly recipientStates: readonly string[];
  readonly actor: string;
}

export interface NationalAnswer {
  /** One per person found, merged over every register consulted. */
  readonly hits: readonly RegisterCheckHit[];
  /** References of hits cleared for this requester and case (recorded in the sender's audit). */
  readonly clearedReferences: readonly string[];
  /** Registers that could not be consulted: `local`, or an asylum authority's id. */
  readonly unavailable: readonly string[];
}

/**
 * The State's protected-persons register as every node of it sees it: this node's own register
 * and that of each asylum authority of the State served by another node (justice, interior and
 * asylum authority each run a node), asked in parallel with keyed hashes only. All of a State's
 * entries protect all of its outgoing traffic. The node secret that keys the hashes is the State's
 * (every node of the State holds the same GATEWAY_REGISTER_SECRET_FILE).
 */
@Injectable()
export class NationalRegister {
  private readonly logger = new Logger(NationalRegister.name);

  constructor(
    private readonly local: LocalRegister,
    private readonly remote: RemoteRegisterClient,
    private readonly directory: AuthorityDirectory,
    private readonly identity: NodeIdentity,
    @Inject(REGISTER_SECRET) private readonly secret: Buffer,
  ) {}

  /**
   * The asylum authorities of this node's State that another node serves, one per node (a node
   * holds one register, whichever of its hosted authorities is asked).
   */
  remoteRegisters(): Authority[] {
    const state = this.identity.authority.state;
    const byNode = new Map<string, Authority>();
    for (const authority of this.directory.all().sort((a, b) => a.id.localeCompare(b.id))) {
      if (
        authority.state === state &&
        authority.kind === 'asylum-authority' &&
        !this.identity.hosts(authority.id) &&
        !byNode.has(authority.endpoint)
      ) {
        byNode.set(authority.endpoint, authority);
      }
    }
    return [...byNode.values()];
  }

  async check(
    persons: readonly PersonIdentifiers[],
    context: NationalCheck,
  ): Promise<NationalAnswer> {
    if (persons.length === 0) return { hits: [], clearedReferences: [], unavailable: [] };
    const query = {
      purpose: context.purpose,
      keyVersion: KEY_VERSION,
      requester: context.requester,
      caseReference: context.caseReference,
      recipientStates: [...context.recipientStates],
      persons: persons.map((person, index) => ({
        index,
        hashes: personHashes(this.secret, person),
      })),
    };
    const sources: Array<{ source: string; ask: () => Promise<RegisterAnswer> }> = [
      { source: LOCAL_REGISTER, ask: () => this.local.answer(query, context.actor) },
      ...this.remoteRegisters().map((register) => ({
        source: register.id,
        ask: () => this.remote.check(register, query),
      })),
    ];
    const answers = await Promise.allSettled(sources.map(({ ask }) => ask()));
    const byPerson = new Map<number, RegisterCheckHit>();
    const cleared: string[] = [];
    const unavailable: string[] = [];
    answers.forEach((answer, i) => {
      const { source } = sources[i];
      if (answer.status === 'rejected') {
        unavailable.push(source);
        const error = answer.reason as Error;
        this.logger.warn(
          { register: source, code: isGatewayError(error) ? error.code : undefined },
          error.message,
        );
        return;
      }
      for (const hit of answer.value.hits) {
        const known = byPerson.get(hit.personIndex);
        byPerson.set(
          hit.personIndex,
          known
            ? {
                personIndex: hit.personIndex,
                shieldFrom: [...new Set([...known.shieldFrom, ...hit.shieldFrom])].sort(),
                claimPending: known.claimPending || hit.claimPending,
                references: [...known.references, ...hit.references],
              }
            : hit,
        );
      }
      for (const clearance of answer.value.cleared) cleared.push(...clearance.references);
    });
    return {
      hits: [...byPerson.values()].sort((a, b) => a.personIndex - b.personIndex),
      clearedReferences: cleared,
      unavailable,
    };
  }
}
