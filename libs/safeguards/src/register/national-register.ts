import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuthorityDirectory, type Authority } from '#libs/directory';
import { isGatewayError } from '#libs/errors';
import { NodeIdentity } from '#libs/node-config';
import {
  KEY_VERSION,
  personHashes,
  textHashesInTurns,
  type PersonIdentifiers,
} from '#libs/protection-register';
import { REGISTER_SECRET } from '../register-secret.js';
import { LocalRegister } from './local-register.js';
import {
  REGISTER_QUERY_LIMITS,
  splitQuery,
  type CheckPurpose,
  type RegisterAnswer,
  type RegisterCheckHit,
} from './register-check.js';
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
  /** This node's register version as the decision read it (with the case facts); read anew if absent. */
  readonly registerVersion?: bigint;
}

export interface NationalAnswer {
  /** One per person found, merged over every register consulted. */
  readonly hits: readonly RegisterCheckHit[];
  /** References of hits cleared for this requester and case (recorded in the sender's audit). */
  readonly clearedReferences: readonly string[];
  /** Registers that could not be consulted: `local`, or an asylum authority's id. */
  readonly unavailable: readonly string[];
  /** Whether anything was asked: persons, or free text with words that could be a name. */
  readonly asked: boolean;
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

  /**
   * Asks every register of the State about the persons a message names: `persons` as structured
   * records, `texts` as free text (a summary of facts, an attachment's text), where any run of
   * words may be a name (textHashesInTurns). A hit on a text has the index `persons.length + i` of the
   * i-th text. Another node's register is asked in as many questions as the protocol's bounds
   * need (REGISTER_QUERY_LIMITS); it is unavailable if any of them is not answered.
   */
  async check(
    persons: readonly PersonIdentifiers[],
    context: NationalCheck,
    texts: readonly string[] = [],
  ): Promise<NationalAnswer> {
    const textSubjects = [];
    for (const [i, text] of texts.entries()) {
      const hashes = await textHashesInTurns(this.secret, text);
      for (const group of groups(hashes, REGISTER_QUERY_LIMITS.hashesPerPerson)) {
        textSubjects.push({ index: persons.length + i, hashes: group });
      }
    }
    const subjects = [
      ...persons.map((person, index) => ({ index, hashes: personHashes(this.secret, person) })),
      ...textSubjects,
    ].filter((subject) => subject.hashes.length > 0);
    if (subjects.length === 0) {
      return { hits: [], clearedReferences: [], unavailable: [], asked: false };
    }
    const query = {
      purpose: context.purpose,
      keyVersion: KEY_VERSION,
      requester: context.requester,
      caseReference: context.caseReference,
      recipientStates: [...context.recipientStates],
      persons: subjects,
    };
    const sources: Array<{ source: string; ask: () => Promise<RegisterAnswer> }> = [
      {
        source: LOCAL_REGISTER,
        ask: () => this.local.answer(query, context.actor, context.registerVersion),
      },
      ...this.remoteRegisters().map((register) => ({
        source: register.id,
        ask: async () => {
          const answers = await Promise.all(
            splitQuery(query).map((part) => this.remote.check(register, part)),
          );
          return {
            hits: answers.flatMap((answer) => answer.hits),
            cleared: answers.flatMap((answer) => answer.cleared),
          };
        },
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
      asked: true,
    };
  }
}

/** A list in groups of at most `size`. */
function groups<T>(items: readonly T[], size: number): T[][] {
  const parts: T[][] = [];
  for (let at = 0; at < items.length; at += size) parts.push(items.slice(at, at + size));
  return parts;
}
