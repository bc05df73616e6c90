import { Test, type TestingModule } from '@nestjs/testing';
import { AuthorityDirectory } from '#libs/directory';
import {
  generateAuthorityKeyPair,
  readPublicKey,
  unlockPrivateKey,
  type PrivateKey,
  type SignerKeys,
} from '#libs/envelope';
import { ErrorCode, type GatewayError } from '#libs/errors';
import { Clock, NODE_CONFIG, NodeIdentity, SystemClock } from '#libs/node-config';
import { ColumnCipher, DATABASE } from '#libs/persistence';
import { freshDatabase, type FreshDatabase } from '../../../../test/support/database.js';
import { ANONYMOUS_REFUSAL_WINDOW_MS, AnonymousRefusals } from '../anonymous-refusals.js';
import { AuditTrail } from '../audit-trail.js';
import { AuditWitnesses } from './audit-witnesses.repository.js';
import { signHeadStatement, type AuditHeadStatement } from './head-statement.js';
import { ReceiveHeadStatement } from './receive-head-statement.use-case.js';
import { WitnessRefusals } from './witness-refusals.js';

/*
 * A peer's audit heads as NG keeps them, on a real schema: stored once, a second hash for one
 * position kept beside the first and audited as a fork, rows never updated, refusals audited.
 */

const FR = 'FR-MOJ-BEPI';
const NG = 'NG-MOJ-CA';
const ROUTING = { sender: FR, recipient: NG };
const CONTEXT = { correlationId: 'c-1', remoteAddress: '192.0.2.7' };

describe('receiving audit head statements', () => {
  let database: FreshDatabase;
  let module: TestingModule;
  let receive: ReceiveHeadStatement;
  let frKey: PrivateKey;
  let impostorKey: PrivateKey;

  const statement = (seq: string, hashDigit: string): AuditHeadStatement => ({
    type: 'audit-head',
    formatVersion: 1,
    authority: FR,
    seq,
    headHash: hashDigit.repeat(64),
    signedAt: new Date().toISOString(),
  });
  const post = async (document: AuditHeadStatement, key = frKey) =>
    receive.execute(Buffer.from(await signHeadStatement(document, key)), ROUTING, CONTEXT);
  const audited = async (event: string) =>
    database.db
      .selectFrom('audit_log')
      .select(['actor', 'details'])
      .where('event', '=', event)
      .execute();

  beforeAll(async () => {
    const pair = async () => {
      const generated = await generateAuthorityKeyPair({
        authorityId: FR,
        authorityName: FR,
        passphrase: 'pw',
      });
      return {
        key: await unlockPrivateKey(generated.privateKeyArmored, 'pw'),
        publicKey: await readPublicKey(generated.publicKeyArmored),
      };
    };
    const [fr, impostor] = await Promise.all([pair(), pair()]);
    frKey = fr.key;
    impostorKey = impostor.key;
    const frAuthority: SignerKeys = {
      id: FR,
      publicKeys: [fr.publicKey],
      signatureRefusal: () => undefined,
    };
    database = await freshDatabase('audit_witnesses');
    module = await Test.createTestingModule({
      providers: [
        { provide: DATABASE, useValue: database.db },
        { provide: ColumnCipher, useValue: database.cipher },
        { provide: Clock, useValue: new SystemClock() },
        { provide: NODE_CONFIG, useValue: { inbound: { clockSkewMs: 120_000 } } },
        { provide: ANONYMOUS_REFUSAL_WINDOW_MS, useValue: 60_000 },
        {
          provide: NodeIdentity,
          useValue: { authorityId: NG, hosts: (id: string) => id === NG, hosted: [{ id: NG }] },
        },
        {
          provide: AuthorityDirectory,
          useValue: { find: (id: string) => (id === FR ? frAuthority : undefined) },
        },
        AuditTrail,
        AnonymousRefusals,
        WitnessRefusals,
        AuditWitnesses,
        ReceiveHeadStatement,
      ],
    }).compile();
    receive = module.get(ReceiveHeadStatement);
  }, 60_000);

  afterAll(async () => {
    await module?.close();
    await database?.close();
  });

  it('stores a statement once, however often it comes', async () => {
    const head = statement('7', 'a');
    expect(await post(head)).toEqual({ stored: true });
    expect(await post(head)).toEqual({ stored: false });
    // Re-signed later (FR's chain at rest): the same authority, position and hash, one row.
    expect(await post({ ...head, signedAt: new Date().toISOString() })).toEqual({ stored: false });
    const rows = await database.db.selectFrom('audit_witnesses').selectAll().execute();
    expect(rows).toEqual([
      expect.objectContaining({ authority: FR, seq: '7', head_hash: 'a'.repeat(64) }),
    ]);
    expect(rows[0].statement).toContain('-----BEGIN PGP SIGNED MESSAGE-----');
  });

  it('keeps a second hash for one position beside the first, and audits the fork', async () => {
    expect(await post(statement('7', 'b'))).toEqual({ stored: true });
    const held = await database.db
      .selectFrom('audit_witnesses')
      .select('head_hash')
      .where('seq', '=', '7')
      .orderBy('id')
      .execute();
    expect(held.map((row) => row.head_hash[0])).toEqual(['a', 'b']);
    expect(await audited('audit.witness-conflict')).toEqual([
      {
        actor: `node:${FR}`,
        details: expect.objectContaining({
          code: ErrorCode.AUDIT_WITNESS_MISMATCH,
          seq: '7',
          headHash: 'b'.repeat(64),
          heldHashes: ['a'.repeat(64)],
        }) as unknown,
      },
    ]);
  });

  it('never lets a kept statement be changed', async () => {
    await expect(
      database.db
        .updateTable('audit_witnesses')
        .set({ head_hash: 'c'.repeat(64) })
        .execute(),
    ).rejects.toThrow(/never updated/);
  });

  it('refuses and audits an impostor, a stranger and a statement about another authority', async () => {
    const codeOf = (promise: Promise<unknown>) =>
      promise.then(
        () => 'stored',
        (error: GatewayError) => error.code,
      );
    expect(await codeOf(post(statement('8', 'd'), impostorKey))).toBe(ErrorCode.SIGNATURE_INVALID);
    expect(
      await codeOf(
        receive.execute(Buffer.from('junk'), { sender: 'XX-NOBODY', recipient: NG }, CONTEXT),
      ),
    ).toBe(ErrorCode.UNKNOWN_SENDER);
    expect(await codeOf(post({ ...statement('8', 'd'), authority: NG }))).toBe(
      ErrorCode.ROUTING_MISMATCH,
    );
    expect(await codeOf(receive.execute(Buffer.alloc(0), ROUTING, CONTEXT))).toBe(
      ErrorCode.ENVELOPE_MALFORMED,
    );
    const refusals = await audited('audit.witness-refused');
    expect(refusals.map((row) => [row.actor, (row.details as { code: string }).code])).toEqual([
      // Before the signature verified the source is anonymous (aggregated per source, S7).
      ['unauthenticated-peer', ErrorCode.SIGNATURE_INVALID],
      ['unauthenticated-peer', ErrorCode.UNKNOWN_SENDER],
      [`node:${FR}`, ErrorCode.ROUTING_MISMATCH],
      ['unauthenticated-peer', ErrorCode.ENVELOPE_MALFORMED],
    ]);
    expect(
      await database.db
        .selectFrom('audit_witnesses')
        .select('seq')
        .where('seq', '=', '8')
        .execute(),
    ).toEqual([]);
  });
});
