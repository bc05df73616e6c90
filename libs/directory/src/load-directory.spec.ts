import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, GatewayError } from '#libs/errors';
import { fingerprintOf, generateAuthorityKeyPair, type GeneratedKeyPair } from '#libs/envelope';
import { loadDirectory } from './load-directory.js';

type AuthorityFile = Record<string, unknown>;

let fr: GeneratedKeyPair;
let ng: GeneratedKeyPair;
const created: string[] = [];

beforeAll(async () => {
  [fr, ng] = await Promise.all([
    generateAuthorityKeyPair({
      authorityId: 'FR-MOJ-BEPI',
      authorityName: 'BEPI',
      passphrase: 'pw',
    }),
    generateAuthorityKeyPair({
      authorityId: 'NG-MOJ-CA',
      authorityName: 'NG CA',
      passphrase: 'pw',
    }),
  ]);
});

afterAll(() => {
  for (const folder of created) rmSync(folder, { recursive: true, force: true });
});

const FROM = '2026-01-01T00:00:00Z';

function frKey(overrides: AuthorityFile = {}): AuthorityFile {
  return {
    fingerprint: fr.fingerprint,
    publicKeyFile: 'keys/FR-MOJ-BEPI.asc',
    validFrom: FROM,
    ...overrides,
  };
}

function frFile(overrides: AuthorityFile = {}): AuthorityFile {
  return {
    id: 'FR-MOJ-BEPI',
    state: 'FR',
    name: 'Bureau de l’entraide pénale internationale',
    kind: 'central-authority',
    endpoint: 'http://127.0.0.1:4101',
    keys: [frKey()],
    procedures: ['mla', 'jit'],
    ...overrides,
  };
}

function ngFile(overrides: AuthorityFile = {}): AuthorityFile {
  return {
    id: 'NG-MOJ-CA',
    state: 'NG',
    name: 'Central Authority Unit, Federal Ministry of Justice',
    kind: 'central-authority',
    endpoint: 'https://gateway.ca.justice.example.ng',
    keys: [{ fingerprint: ng.fingerprint, publicKeyFile: 'keys/NG-MOJ-CA.asc', validFrom: FROM }],
    procedures: ['mla', 'nationality-verification'],
    ...overrides,
  };
}

/** A fresh folder with the given files (objects are written as JSON) and both public keys. */
function directory(files: Record<string, AuthorityFile | string>): string {
  const folder = mkdtempSync(join(tmpdir(), 'directory-spec-'));
  created.push(folder);
  mkdirSync(join(folder, 'keys'));
  writeFileSync(join(folder, 'keys', 'FR-MOJ-BEPI.asc'), fr.publicKeyArmored);
  writeFileSync(join(folder, 'keys', 'NG-MOJ-CA.asc'), ng.publicKeyArmored);
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(
      join(folder, name),
      typeof content === 'string' ? content : JSON.stringify(content, null, 2),
    );
  }
  return folder;
}

async function loadFailure(folder: string): Promise<GatewayError> {
  const error: unknown = await loadDirectory(folder).then(
    () => new Error('expected the directory to be refused'),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(GatewayError);
  expect((error as GatewayError).code).toBe(ErrorCode.CONFIGURATION_INVALID);
  return error as GatewayError;
}

describe('loadDirectory', () => {
  it('loads a valid directory: find, all and digest', async () => {
    const folder = directory({
      'fr-moj-bepi.json': frFile(),
      'ng-moj-ca.json': ngFile(),
      'README.md': '# not an authority file',
    });
    const loaded = await loadDirectory(folder);

    expect(loaded.all().map((authority) => authority.id)).toEqual(['FR-MOJ-BEPI', 'NG-MOJ-CA']);
    const bepi = loaded.find('FR-MOJ-BEPI');
    expect(bepi).toMatchObject({
      id: 'FR-MOJ-BEPI',
      state: 'FR',
      kind: 'central-authority',
      endpoint: 'http://127.0.0.1:4101',
      procedures: ['mla', 'jit'],
    });
    expect(bepi!.keys).toEqual([
      expect.objectContaining({
        fingerprint: fr.fingerprint,
        publicKeyArmored: fr.publicKeyArmored,
        validFrom: new Date(FROM),
        validUntil: undefined,
        revokedAt: undefined,
      }),
    ]);
    expect(fingerprintOf(bepi!.keys[0].publicKey)).toBe(fr.fingerprint);
    expect(bepi!.keys[0].publicKey.isPrivate()).toBe(false);
    expect(fingerprintOf(loaded.find('NG-MOJ-CA')!.publicKeys[0])).toBe(ng.fingerprint);
    expect(loaded.version).toBeUndefined();
    expect(loaded.find('XX-UNKNOWN')).toBeUndefined();
    expect(loaded.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads the TLS pins of an entry in one comparable form, and signs them into the digest', async () => {
    const pin = 'ab:'.repeat(31) + 'cd';
    const files = { 'fr.json': frFile(), 'ng.json': ngFile({ tlsPins: [pin] }) };
    const loaded = await loadDirectory(directory(files));
    expect(loaded.find('NG-MOJ-CA')!.tlsPins).toEqual(['AB'.repeat(31) + 'CD']);
    expect(loaded.find('FR-MOJ-BEPI')!.tlsPins).toEqual([]);
    const unpinned = await loadDirectory(directory({ ...files, 'ng.json': ngFile() }));
    expect(unpinned.digest).not.toBe(loaded.digest);
  });

  it('reads what an authority is competent for, and signs it into the digest', async () => {
    const competence = {
      measures: ['taking-evidence'],
      regions: ['Lagos'],
      languages: ['en'],
      urgentContact: { channel: 'phone', address: '+234 9 461 0000' },
      treaties: [{ id: 'GB-NG-MLA-1989', title: 'MLA treaty', states: ['GB'] }],
    };
    const files = { 'fr.json': frFile(), 'ng.json': ngFile({ competence }) };
    const loaded = await loadDirectory(directory(files));
    expect(loaded.find('NG-MOJ-CA')!.competence).toEqual(competence);
    expect(loaded.find('FR-MOJ-BEPI')!.competence).toEqual({});
    const plain = await loadDirectory(directory({ ...files, 'ng.json': ngFile() }));
    expect(plain.digest).not.toBe(loaded.digest);
  });

  it('computes the same digest for the same content and a different one for any change', async () => {
    const files = { 'fr.json': frFile(), 'ng.json': ngFile() };
    const { digest } = await loadDirectory(directory(files));

    expect((await loadDirectory(directory(files))).digest).toBe(digest);
    const moved = { ...files, 'ng.json': ngFile({ endpoint: 'https://other.example.ng' }) };
    expect((await loadDirectory(directory(moved))).digest).not.toBe(digest);
    const fewer = { 'fr.json': frFile() };
    expect((await loadDirectory(directory(fewer))).digest).not.toBe(digest);
  });

  // Thunks where the row needs the keys, which exist only once beforeAll has run.
  it.each<[problem: string, overrides: () => AuthorityFile, field: string]>([
    [
      'a fingerprint of no key',
      () => ({ keys: [frKey({ fingerprint: '0'.repeat(40) })] }),
      'keys.0.fingerprint',
    ],
    [
      'a lower-case fingerprint',
      () => ({ keys: [frKey({ fingerprint: 'a'.repeat(40) })] }),
      'keys.0.fingerprint',
    ],
    ['an id prefix that is not its State', () => ({ state: 'NG' }), 'id'],
    ['a malformed id', () => ({ id: 'fr-moj-bepi' }), 'id'],
    ['an unknown State', () => ({ id: 'XX-MOJ-BEPI', state: 'XX' }), 'state'],
    ['an unknown procedure', () => ({ procedures: ['mla', 'extradition'] }), 'procedures'],
    ['no procedures', () => ({ procedures: [] }), 'procedures'],
    ['an unknown kind', () => ({ kind: 'ministry' }), 'kind'],
    ['an endpoint that is not an http(s) URL', () => ({ endpoint: 'ftp://host' }), 'endpoint'],
    [
      'a plain-http endpoint off loopback',
      () => ({ endpoint: 'http://gateway.bepi.example' }),
      'endpoint',
    ],
    ['a TLS pin that is no SHA-256', () => ({ tlsPins: ['AB:CD'] }), 'tlsPins'],
    [
      'a measure that is not one',
      () => ({ competence: { measures: ['interrogation'] } }),
      'competence.measures',
    ],
    [
      'a language that is no ISO 639-1 code',
      () => ({ competence: { languages: ['French'] } }),
      'competence.languages',
    ],
    [
      'an urgent contact on an unknown channel',
      () => ({ competence: { urgentContact: { channel: 'fax', address: '+33 1' } } }),
      'competence.urgentContact.channel',
    ],
    [
      'a treaty with no States',
      () => ({ competence: { treaties: [{ id: 'T-1', title: 'Treaty', states: [] }] } }),
      'competence.treaties.0.states',
    ],
    ['an unknown competence field', () => ({ competence: { hours: '24/7' } }), 'competence.hours'],
    ['an empty pin list', () => ({ tlsPins: [] }), 'tlsPins'],
    ['an unknown field', () => ({ telephone: '+33 1 00 00 00 00' }), 'telephone'],
    ['a missing field', () => ({ name: undefined }), 'name'],
    ['no keys', () => ({ keys: [] }), 'keys'],
    ['no key list', () => ({ keys: undefined }), 'keys'],
    [
      'a missing key file',
      () => ({ keys: [frKey({ publicKeyFile: 'keys/missing.asc' })] }),
      'keys.0.publicKeyFile',
    ],
    [
      'a key file that is no key',
      () => ({ keys: [frKey({ publicKeyFile: 'fr.json' })] }),
      'keys.0.publicKeyFile',
    ],
    [
      'a key without validFrom',
      () => ({ keys: [frKey({ validFrom: undefined })] }),
      'keys.0.validFrom',
    ],
    [
      'a validFrom that is no RFC 3339 time',
      () => ({ keys: [frKey({ validFrom: '2026-W01' })] }),
      'keys.0.validFrom',
    ],
    [
      'a validUntil before validFrom',
      () => ({ keys: [frKey({ validUntil: '2025-12-31T00:00:00Z' })] }),
      'keys.0.validUntil',
    ],
    [
      'a revocation without reason',
      () => ({ keys: [frKey({ revokedAt: '2026-02-01T00:00:00Z' })] }),
      'keys.0.revocationReason',
    ],
    [
      'a revocation reason without time',
      () => ({ keys: [frKey({ revocationReason: 'key-retired' })] }),
      'keys.0.revokedAt',
    ],
    [
      'an unknown revocation reason',
      () => ({ keys: [frKey({ revokedAt: '2026-02-01T00:00:00Z', revocationReason: 'lost' })] }),
      'keys.0.revocationReason',
    ],
    ['an unknown key field', () => ({ keys: [frKey({ comment: 'spare' })] }), 'keys.0.comment'],
    [
      'the same key twice',
      () => ({ keys: [frKey(), frKey({ validFrom: '2026-02-01T00:00:00Z' })] }),
      'keys.1.fingerprint',
    ],
  ])('refuses %s, naming the file and the field', async (_problem, overrides, field) => {
    const folder = directory({
      'fr.json': frFile(overrides()),
      'ng.json': ngFile(),
    });
    const error = await loadFailure(folder);
    // One detail per broken constraint, all about this file and field (ng.json is valid).
    expect(error.details.length).toBeGreaterThan(0);
    for (const detail of error.details) {
      const message = expect.any(String) as string;
      expect(detail).toEqual({ file: join(folder, 'fr.json'), field, message });
    }
  });

  it('refuses a fingerprint that belongs to another authority’s key', async () => {
    const folder = directory({
      'fr.json': frFile({ keys: [frKey({ fingerprint: ng.fingerprint })] }),
    });
    const error = await loadFailure(folder);
    expect(error.details).toEqual([
      {
        file: join(folder, 'fr.json'),
        field: 'keys.0.fingerprint',
        message: `does not match the public key (key has ${fr.fingerprint})`,
      },
    ]);
  });

  it('refuses a private key in place of the public key, so that it is never published', async () => {
    const folder = directory({
      'fr.json': frFile({ keys: [frKey({ publicKeyFile: 'keys/FR-MOJ-BEPI.key.asc' })] }),
    });
    writeFileSync(join(folder, 'keys', 'FR-MOJ-BEPI.key.asc'), fr.privateKeyArmored);
    const error = await loadFailure(folder);
    expect(error.details).toEqual([
      {
        file: join(folder, 'fr.json'),
        field: 'keys.0.publicKeyFile',
        message: 'keys/FR-MOJ-BEPI.key.asc is not an armored OpenPGP public key',
      },
    ]);
  });

  it('refuses an authority defined twice, naming the second file', async () => {
    const folder = directory({
      'a.json': frFile(),
      'b.json': frFile({ endpoint: 'http://127.0.0.1:4999' }),
    });
    const error = await loadFailure(folder);
    expect(error.details).toEqual([
      {
        file: join(folder, 'b.json'),
        field: 'id',
        message: 'authority FR-MOJ-BEPI is defined twice',
      },
    ]);
  });

  it('refuses a file that is not valid JSON', async () => {
    const folder = directory({ 'fr.json': '{ "id": "FR-MOJ-BEPI", ', 'ng.json': ngFile() });
    const error = await loadFailure(folder);
    expect(error.details).toEqual([
      {
        file: join(folder, 'fr.json'),
        message: expect.stringMatching(/^not valid JSON/) as string,
      },
    ]);
  });

  it.each(['null', '[]', '"FR-MOJ-BEPI"', '42'])(
    'refuses a file holding %s instead of an object',
    async (text) => {
      const folder = directory({ 'fr.json': text, 'ng.json': ngFile() });
      const error = await loadFailure(folder);
      expect(error.details).toEqual([
        {
          file: join(folder, 'fr.json'),
          message: expect.stringContaining('JSON object') as string,
        },
      ]);
    },
  );

  it('refuses an empty folder', async () => {
    const folder = directory({ 'notes.txt': 'no authority here' });
    const error = await loadFailure(folder);
    expect(error.details).toEqual([
      { file: folder, message: expect.stringContaining('no authority files') as string },
    ]);
  });

  it('refuses a folder that does not exist', async () => {
    const folder = join(directory({}), 'absent');
    const error = await loadFailure(folder);
    expect(error.message).toContain(folder);
  });

  it('reports every problem of every file at once', async () => {
    const folder = directory({
      '1-fr.json': frFile({ keys: [frKey({ fingerprint: ng.fingerprint })] }),
      '2-ng.json': ngFile({ procedures: ['smuggling'], website: 'https://example.ng' }),
      '3-broken.json': '{',
      '4-nokey.json': ngFile({
        id: 'NG-EFCC',
        keys: [{ fingerprint: ng.fingerprint, publicKeyFile: 'keys/NG-EFCC.asc', validFrom: FROM }],
      }),
      '5-prefix.json': frFile({ id: 'NG-MOJ-XX' }),
    });
    const error = await loadFailure(folder);
    const found = error.details.map((detail) => [detail.file, detail.field]);
    expect(found).toEqual(
      expect.arrayContaining([
        [join(folder, '1-fr.json'), 'keys.0.fingerprint'],
        [join(folder, '2-ng.json'), 'procedures'],
        [join(folder, '2-ng.json'), 'website'],
        [join(folder, '3-broken.json'), undefined],
        [join(folder, '4-nokey.json'), 'keys.0.publicKeyFile'],
        [join(folder, '5-prefix.json'), 'id'],
      ]),
    );
    expect(found).toHaveLength(6);
  });

  it('loads several keys per authority, with their periods, revocation and OpenPGP expiry', async () => {
    const next = await generateAuthorityKeyPair({
      authorityId: 'FR-MOJ-BEPI',
      authorityName: 'BEPI',
      passphrase: 'pw',
      expiresInDays: 400,
    });
    const folder = directory({
      'fr.json': frFile({
        keys: [
          frKey({
            validUntil: '2026-03-01T00:00:00Z',
            revokedAt: '2026-02-15T00:00:00Z',
            revocationReason: 'key-superseded',
          }),
          {
            fingerprint: next.fingerprint,
            publicKeyFile: 'keys/next.asc',
            validFrom: '2026-02-01T00:00:00+01:00',
          },
        ],
      }),
    });
    writeFileSync(join(folder, 'keys', 'next.asc'), next.publicKeyArmored);
    const bepi = (await loadDirectory(folder)).find('FR-MOJ-BEPI')!;
    expect(bepi.keys.map((key) => key.fingerprint)).toEqual([fr.fingerprint, next.fingerprint]);
    expect(bepi.keys[0]).toMatchObject({
      validUntil: new Date('2026-03-01T00:00:00Z'),
      revokedAt: new Date('2026-02-15T00:00:00Z'),
      revocationReason: 'key-superseded',
      expiresAt: undefined,
    });
    expect(bepi.keys[1].validFrom).toEqual(new Date('2026-01-31T23:00:00Z'));
    expect(bepi.keys[1].expiresAt!.getTime()).toBeGreaterThan(Date.now() + 399 * 86_400_000);
  });

  it('lets the authorities hosted on one node (a hub) list the same keys', async () => {
    const folder = directory({
      'fr.json': frFile(),
      'fr-dgef.json': frFile({ id: 'FR-MININT-DGEF', kind: 'immigration-repatriation' }),
    });
    const loaded = await loadDirectory(folder);
    expect(loaded.find('FR-MININT-DGEF')!.keys[0].fingerprint).toBe(fr.fingerprint);
    expect(loaded.find('FR-MOJ-BEPI')!.keys[0].fingerprint).toBe(fr.fingerprint);
  });

  it('does not modify the files it reads', async () => {
    const folder = directory({ 'fr.json': frFile() });
    const before = readFileSync(join(folder, 'fr.json'), 'utf8');
    await loadDirectory(folder);
    expect(readFileSync(join(folder, 'fr.json'), 'utf8')).toBe(before);
  });
});
