import { Test, type TestingModule } from '@nestjs/testing';
import { AuditTrail } from '#libs/audit';
import { ErrorCode, GatewayError } from '#libs/errors';
import { Clock, NODE_CONFIG, SystemClock } from '#libs/node-config';
import { ColumnCipher, createDatabase, DATABASE, type Db } from '#libs/persistence';
import {
  KEY_VERSION,
  personHashes,
  registrationHashes,
  type PersonIdentifiers,
} from '#libs/protection-register';
import { freshDatabase, type FreshDatabase } from '../../../../test/support/database.js';
import { CaseFactsRepository } from '../case-facts.repository.js';
import { LocalRegister } from './local-register.js';
import type { RegisterQuery } from './register-check.js';
import { RegisterIndex } from './register-index.js';
import { RegisterRepository } from './register.repository.js';

/*
 * The register's adapters against a real PostgreSQL schema: two "processes" (two Nest testing
 * modules on one schema) deciding on the register as stored, ownership, tombstones, stale key
 * versions, and hit reviews.
 */

const SECRET = Buffer.alloc(32, 7);
const BELLO = {
  names: [{ givenNames: ['Fatimah'], familyNames: ['BELLO'] }],
  datesOfBirth: ['14/03/2001'],
};
const BELLO_WRITTEN: PersonIdentifiers = {
  names: { givenNames: ['Fatima'], familyNames: ['Bello'] },
  dateOfBirth: '2001-03-14',
};

describe('the register as stored, in every process', () => {
  let database: FreshDatabase;
  const modules: TestingModule[] = [];

  /** One gateway process: its own index, the shared schema. */
  async function process(db: Db = database.db): Promise<TestingModule> {
    const module = await Test.createTestingModule({
      providers: [
        { provide: DATABASE, useValue: db },
        { provide: ColumnCipher, useValue: database.cipher },
        { provide: Clock, useValue: new SystemClock() },
        {
          provide: NODE_CONFIG,
          useValue: { database: { url: database.url, schema: database.schema } },
        },
        AuditTrail,
        RegisterRepository,
        RegisterIndex,
        LocalRegister,
        CaseFactsRepository,
      ],
    }).compile();
    await module.init();
    modules.push(module);
    return module;
  }

  const query = (
    persons: PersonIdentifiers[],
    overrides: Partial<RegisterQuery> = {},
  ): RegisterQuery => ({
    purpose: 'send',
    keyVersion: KEY_VERSION,
    requester: 'FR-MININT-DGEF',
    caseReference: 'DGEF-2026-1',
    recipientStates: ['NG'],
    persons: persons.map((person, index) => ({ index, hashes: personHashes(SECRET, person) })),
    ...overrides,
  });

  const add = (module: TestingModule, owner = 'FR-OFPRA', claimPending = false) =>
    module.get(RegisterRepository).add({
      hashes: registrationHashes(SECRET, BELLO),
      shieldFrom: ['NG'],
      keyVersion: KEY_VERSION,
      claimPending,
      owner,
      actor: `officer@${owner}`,
    });

  beforeAll(async () => {
    database = await freshDatabase('register');
  });

  afterEach(async () => {
    await Promise.all(modules.splice(0).map((module) => module.close()));
    await database.db.deleteFrom('register_reviews').execute();
    await database.db.deleteFrom('protected_persons').execute();
  });

  afterAll(async () => {
    await database.close();
  });

  it('decides in a second process on an entry made through the first, at once', async () => {
    const [first, second] = [await process(), await process()];
    const { entryId } = await add(first);
    const [hits] = await second.get(RegisterIndex).lookup([personHashes(SECRET, BELLO_WRITTEN)]);
    expect(hits).toEqual([{ entryId, shieldFrom: ['NG'], claimPending: false }]);
  });

  it('decides at the version read with the case facts, and fails closed short of it', async () => {
    const [first, second] = [await process(), await process()];
    const { entryId } = await add(first);
    // One statement: the case's facts (none recorded) and the register's version.
    const { facts, registerVersion } = await second
      .get(CaseFactsRepository)
      .forDecision('FR-MININT-DGEF', 'DGEF-2026-1');
    expect(facts).toEqual({});
    expect(registerVersion).toBe(await first.get(RegisterRepository).version());
    const index = second.get(RegisterIndex);
    const [hits] = await index.lookup([personHashes(SECRET, BELLO_WRITTEN)], registerVersion);
    expect(hits).toEqual([{ entryId, shieldFrom: ['NG'], claimPending: false }]);
    // A version the register never reached cannot be proven applied: no decision on it.
    await expect(
      index.lookup([personHashes(SECRET, BELLO_WRITTEN)], registerVersion + 1n),
    ).rejects.toMatchObject({ code: ErrorCode.REGISTER_UNAVAILABLE });
  });

  it('applies a change announced by NOTIFY within a second, before any decision asks', async () => {
    const [first, second] = [await process(), await process()];
    const before = second.get(RegisterIndex).appliedVersion;
    await add(first);
    const started = Date.now();
    while (second.get(RegisterIndex).appliedVersion === before) {
      if (Date.now() - started > 1000) throw new Error('the second process did not follow');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(second.get(RegisterIndex).size).toBe(1);
  });

  it('lets only the owner remove an entry; a removed entry protects no more, anywhere', async () => {
    const [first, second] = [await process(), await process()];
    const { entryId } = await add(first, 'FR-OFPRA');
    const repository = first.get(RegisterRepository);
    const version = await repository.version();
    expect(await repository.remove(entryId, 'FR-OFPRA-GP', 'officer@FR-OFPRA-GP')).toBe(false);
    // A refused removal spends no version.
    expect(await repository.version()).toBe(version);
    expect(await repository.remove(entryId, 'FR-OFPRA', 'officer@FR-OFPRA')).toBe(true);
    const [hits] = await second.get(RegisterIndex).lookup([personHashes(SECRET, BELLO_WRITTEN)]);
    expect(hits).toEqual([]);
    const { hashes } = await database.db
      .selectFrom('protected_persons')
      .select('hashes')
      .where('id', '=', entryId)
      .executeTakeFirstOrThrow();
    expect(hashes).toEqual([]);
  });

  it('counts as unavailable while entries of another key version are stored', async () => {
    const module = await process();
    await database.db
      .insertInto('protected_persons')
      .values({
        id: '01900000-0000-7000-8000-0000000000aa',
        hashes: registrationHashes(SECRET, BELLO),
        shield_from: ['NG'],
        registered_at: new Date(),
        registered_by: 'officer@FR-OFPRA',
        owner: 'FR-OFPRA',
        key_version: 'v0',
        claim_pending: false,
        version: '99',
      })
      .execute();
    await database.db.updateTable('register_state').set({ version: '99' }).execute();
    await expect(module.get(RegisterIndex).lookup([[]])).rejects.toMatchObject({
      code: ErrorCode.REGISTER_UNAVAILABLE,
    });
    await database.db.updateTable('register_state').set({ version: '0' }).execute();
  });

  it('cannot prove it is current without the database, and says so', async () => {
    const connections = createDatabase(database.url, database.schema, 1);
    const module = await process(connections);
    await connections.destroy();
    const refusal = await module
      .get(RegisterIndex)
      .lookup([[]])
      .catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(GatewayError);
    expect((refusal as GatewayError).code).toBe(ErrorCode.REGISTER_UNAVAILABLE);
  });

  it('opens one review per hit when a message is about to be sent, none for a preview', async () => {
    const module = await process();
    const { entryId } = await add(module, 'FR-OFPRA', true);
    const register = module.get(LocalRegister);
    const preview = await register.answer(query([BELLO_WRITTEN], { purpose: 'explain' }), 'x');
    expect(preview).toEqual({
      hits: [{ personIndex: 0, shieldFrom: ['NG'], claimPending: true, references: [] }],
      cleared: [],
    });
    // Parallel checks of the same message open one review between them.
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => register.answer(query([BELLO_WRITTEN]), 'x')),
    );
    const references = new Set(answers.flatMap((a) => a.hits.flatMap((h) => h.references)));
    expect(references.size).toBe(1);
    const reviews = await module.get(RegisterRepository).listReviews('FR-OFPRA');
    expect(reviews).toEqual([
      expect.objectContaining({ entryId, status: 'pending', caseReference: 'DGEF-2026-1' }),
    ]);
    expect(await module.get(RegisterRepository).listReviews('FR-OFPRA-GP')).toEqual([]);
  });

  it('answers a hit cleared by its owner as cleared, for that requester and case only', async () => {
    const module = await process();
    await add(module);
    const register = module.get(LocalRegister);
    const [reference] = (await register.answer(query([BELLO_WRITTEN]), 'x')).hits[0].references;
    const repository = module.get(RegisterRepository);
    expect(await repository.decide(reference, 'FR-OFPRA-GP', 'cleared', 'no', 'y')).toBeUndefined();
    expect(
      await repository.decide(reference, 'FR-OFPRA', 'cleared', 'born elsewhere', 'y'),
    ).toMatchObject({ status: 'cleared' });
    expect(await register.answer(query([BELLO_WRITTEN]), 'x')).toEqual({
      hits: [],
      cleared: [{ personIndex: 0, references: [reference] }],
    });
    const otherCase = await register.answer(
      query([BELLO_WRITTEN], { caseReference: 'DGEF-2026-2' }),
      'x',
    );
    expect(otherCase.hits).toHaveLength(1);
    // Decided once: a cleared review is not confirmed afterwards.
    expect(await repository.decide(reference, 'FR-OFPRA', 'confirmed', 'r', 'y')).toBeUndefined();
  });

  it('refuses a check hashed with another key version', async () => {
    const module = await process();
    await expect(
      module.get(LocalRegister).answer(query([BELLO_WRITTEN], { keyVersion: 'v0' }), 'x'),
    ).rejects.toMatchObject({ code: ErrorCode.REGISTER_KEY_VERSION_MISMATCH });
  });
});
