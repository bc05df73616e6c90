import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import pg from 'pg';
import { ErrorCode, GatewayError } from '#libs/errors';
import { NODE_CONFIG, type NodeConfig } from '#libs/node-config';
import { KEY_VERSION, ProtectedPersonsIndex, type RegisterHit } from '#libs/protection-register';
import { REGISTER_CHANNEL, RegisterRepository } from './register.repository.js';

/** An entry matched in this node's register, with what the owner recorded beside the shielding. */
export interface IndexedHit extends RegisterHit {
  readonly claimPending: boolean;
}

const SYNC_BATCH = 20_000;
const RELISTEN_DELAY_MS = 1_000;

/**
 * This process's copy of the node's register, kept current with PostgreSQL, the record: every
 * change bumps the register version and is announced by NOTIFY, which starts a catch-up at once;
 * and before every decision `current()` compares the copy's version with the stored one and
 * catches up first. A process that cannot read the version cannot prove it is current, and
 * `current()` fails (REGISTER_UNAVAILABLE): messages naming persons are then held, never sent
 * unchecked. So is a register holding entries hashed with another key version, which no check
 * could match.
 */
@Injectable()
export class RegisterIndex implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RegisterIndex.name);
  private readonly index = new ProtectedPersonsIndex();
  private readonly pendingClaims = new Set<string>();
  /** Live entries of another key version, by id. */
  private readonly stale = new Set<string>();
  private version = -1n;
  private catchingUp?: Promise<void>;
  private listener?: pg.Client;
  private closed = false;

  constructor(
    private readonly repository: RegisterRepository,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.catchUp();
    void this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    await this.listener?.end().catch(() => undefined);
  }

  /** Entries this process holds (live, of the current key version). */
  get size(): number {
    return this.index.size;
  }

  /** The version this process has applied. */
  get appliedVersion(): bigint {
    return this.version;
  }

  /**
   * Looks the persons' keyed hashes up in the register as stored now (at `storedVersion`, when
   * the caller read the version in a statement of its own). Throws REGISTER_UNAVAILABLE when that
   * cannot be proven.
   */
  async lookup(
    persons: readonly (readonly string[])[],
    storedVersion?: bigint,
  ): Promise<IndexedHit[][]> {
    await this.ensureCurrent(storedVersion);
    return persons.map((hashes) =>
      this.index
        .lookup(hashes)
        .map((hit) => ({ ...hit, claimPending: this.pendingClaims.has(hit.entryId) })),
    );
  }

  /**
   * Catches up with the stored register (with `stored`, its version read just now by the caller),
   * or throws REGISTER_UNAVAILABLE.
   */
  async ensureCurrent(stored?: bigint): Promise<void> {
    try {
      stored ??= await this.repository.version();
    } catch (error) {
      throw unavailable(`the register's version cannot be read: ${(error as Error).message}`);
    }
    if (stored > this.version) {
      try {
        await this.catchUp();
      } catch (error) {
        throw unavailable(`the register cannot be read: ${(error as Error).message}`);
      }
    }
    if (this.version < stored) throw unavailable('the register could not be brought up to date');
    if (this.stale.size > 0) {
      throw unavailable(
        `${this.stale.size} register entries were hashed with another identifier-key version than ${KEY_VERSION}: they must be registered again`,
      );
    }
  }

  /** Applies every change after the version held, once at a time (concurrent callers share it). */
  private catchUp(): Promise<void> {
    this.catchingUp ??= this.applyChanges().finally(() => {
      this.catchingUp = undefined;
    });
    return this.catchingUp;
  }

  private async applyChanges(): Promise<void> {
    // Versions commit in order (each writer holds the state row's lock until it commits): every
    // change up to the version read here is already visible below.
    const target = await this.repository.version();
    for (;;) {
      const changes = await this.repository.changesSince(this.version, SYNC_BATCH);
      for (const entry of changes) {
        this.index.remove(entry.id);
        this.pendingClaims.delete(entry.id);
        this.stale.delete(entry.id);
        if (entry.removed) continue;
        if (entry.keyVersion !== KEY_VERSION) {
          this.stale.add(entry.id);
          continue;
        }
        this.index.add(entry.id, entry.hashes, entry.shieldFrom);
        if (entry.claimPending) this.pendingClaims.add(entry.id);
      }
      if (changes.length > 0) this.version = changes[changes.length - 1].version;
      if (changes.length < SYNC_BATCH) break;
    }
    if (this.version < target) this.version = target;
  }

  /**
   * LISTEN on a connection of its own: a change made through another process is applied within
   * moments, not only at the next decision. Reconnects after a PostgreSQL restart.
   */
  private async listen(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({
      connectionString: this.config.database.url,
      options: `-c search_path=${this.config.database.schema}`,
    });
    const retry = () => {
      if (this.listener !== client) return;
      this.listener = undefined;
      void client.end().catch(() => undefined);
      if (!this.closed) setTimeout(() => void this.listen(), RELISTEN_DELAY_MS).unref();
    };
    client.on('error', retry);
    client.on('end', retry);
    client.on('notification', (notice) => {
      if (notice.channel !== REGISTER_CHANNEL || notice.payload !== this.config.database.schema)
        return;
      this.catchUp().catch((error: Error) =>
        this.logger.warn({ err: error.message }, 'register change not applied yet'),
      );
    });
    this.listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${REGISTER_CHANNEL}`);
      // Changes made while not listening.
      await this.catchUp();
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'register changes not followed yet');
      retry();
    }
  }
}

function unavailable(reason: string): GatewayError {
  return new GatewayError(ErrorCode.REGISTER_UNAVAILABLE, reason);
}
