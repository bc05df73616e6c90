import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import fc from 'fast-check';
import { join } from 'node:path';
import { ErrorCode, GatewayError } from '#libs/errors';
import { ColumnCipher, DataKey } from '#libs/persistence';
import { EncryptedFileReader, EncryptedFileWriter } from '../at-rest/encrypted-file.js';
import {
  chunkFileName,
  sealFile,
  type FileSealingKeys,
  type FileToSeal,
} from '../seal/seal-file.js';
import type { FileManifest } from '../seal/manifest.js';
import { SealWorkerPool } from '../seal/worker-pool.js';
import { GeneratedPlaintext, signerOf, testParty, type TestParty } from '../testing/fixtures.js';
import { FileAssembler } from './file-assembler.js';
import { openSealedChunk } from './open-chunk.js';

const CHUNK = 64 * 1024;

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (error instanceof GatewayError) return error.code;
    throw error;
  }
}

describe('opening sealed chunks into a file at rest', () => {
  let fr: TestParty;
  let ng: TestParty;
  let rogue: TestParty;
  let pool: SealWorkerPool;
  const keys = new ColumnCipher(new DataKey(randomBytes(32)));
  const work = mkdtempSync(join(tmpdir(), 'assemble-'));
  const source = new GeneratedPlaintext(3 * CHUNK + 777);
  let file: FileToSeal;
  let sealing: FileSealingKeys;
  let manifest: FileManifest;
  let other: FileManifest;
  const sealedDir = join(work, 'sealed');
  const otherDir = join(work, 'other');
  let n = 0;
  const target = () => ({ path: join(work, `received-${n++}`), fileId: 'received', keys });
  const openingKeys = () => ({ decryptionKeys: [ng.privateKey], sender: signerOf(fr) });

  beforeAll(async () => {
    [fr, ng, rogue] = await Promise.all([
      testParty('FR-MOJ-BEPI'),
      testParty('NG-MOJ-CA'),
      testParty('XX-ROGUE'),
    ]);
    pool = new SealWorkerPool(2);
    file = {
      fileId: 'f1',
      name: 'statement.pdf',
      mediaType: 'application/pdf',
      category: 'evidence-item',
      sha256: source.sha256(),
    };
    sealing = { signingKey: fr.privateKey, recipientKey: ng.publicKey };
    manifest = await sealFile(source, file, sealing, {
      outDir: sealedDir,
      chunkBytes: CHUNK,
      pool,
      durable: false,
    });
    const otherSource = new GeneratedPlaintext(3 * CHUNK + 777, 'other');
    other = await sealFile(
      otherSource,
      { ...file, fileId: 'f2', sha256: otherSource.sha256() },
      sealing,
      {
        outDir: otherDir,
        chunkBytes: CHUNK,
        pool,
        durable: false,
      },
    );
  }, 120_000);

  afterAll(() => pool.close());

  it('opens every chunk in order and ends with the manifest digest', async () => {
    const to = target();
    const assembler = await FileAssembler.begin(manifest, openingKeys(), to);
    for (let index = 0; index < manifest.chunks.length; index++) {
      const opened = await assembler.openChunkFile(index, join(sealedDir, chunkFileName(index)));
      expect(opened.signerFingerprint).toBe(fr.publicKey.getFingerprint().toUpperCase());
    }
    expect(await assembler.finish()).toEqual({ size: source.size, sha256: source.sha256() });
    const reader = await EncryptedFileReader.open(to.path, to.fileId, keys);
    const copy = Buffer.alloc(source.size);
    await reader.readInto(0, copy);
    await reader.close();
    expect(copy.equals(source.bytes(0, source.size))).toBe(true);
    // Never the plaintext on disk.
    expect(readFileSync(to.path).includes(source.bytes(1000, 64))).toBe(false);
  }, 60_000);

  it('opens chunks that the sealing threads read from a file at rest by themselves', async () => {
    // Records of 4 KiB: chunks begin and end inside records, and the last record is partial.
    const stored = join(work, 'at-rest');
    const writer = await EncryptedFileWriter.create(stored, 'f3', keys, 12);
    for (let at = 0; at < source.size; at += 10_000) {
      await writer.write(source.bytes(at, Math.min(10_000, source.size - at)));
    }
    await writer.commit();
    await writer.close();
    const reader = await EncryptedFileReader.open(stored, 'f3', keys);
    const fromRest = await sealFile(reader, { ...file, fileId: 'f3' }, sealing, {
      outDir: join(work, 'sealed-from-rest'),
      chunkBytes: CHUNK,
      pool,
      durable: false,
    });
    await reader.close();
    const to = target();
    const assembler = await FileAssembler.begin(fromRest, openingKeys(), to);
    for (let index = 0; index < fromRest.chunks.length; index++) {
      await assembler.openChunkFile(index, join(work, 'sealed-from-rest', chunkFileName(index)));
    }
    expect(await assembler.finish()).toEqual({ size: source.size, sha256: source.sha256() });
  }, 60_000);

  it('refuses replayed, reordered, foreign and altered chunks, keeping nothing of them', async () => {
    const to = target();
    const assembler = await FileAssembler.begin(manifest, openingKeys(), to);
    const chunk = (index: number, dir = sealedDir) => join(dir, chunkFileName(index));
    expect(await codeOf(assembler.openChunkFile(1, chunk(1)))).toBe(ErrorCode.CHUNK_OUT_OF_ORDER);
    await assembler.openChunkFile(0, chunk(0));
    expect(await codeOf(assembler.openChunkFile(0, chunk(0)))).toBe(ErrorCode.CHUNK_OUT_OF_ORDER);
    expect(await codeOf(assembler.openChunkFile(1, chunk(2)))).toBe(
      ErrorCode.CHUNK_DIGEST_MISMATCH,
    );
    expect(await codeOf(assembler.openChunkFile(1, chunk(1, otherDir)))).toBe(
      ErrorCode.CHUNK_DIGEST_MISMATCH,
    );
    const altered = readFileSync(chunk(1));
    altered[altered.length - 100] ^= 1;
    writeFileSync(join(work, 'altered'), altered);
    expect(await codeOf(assembler.openChunkFile(1, join(work, 'altered')))).toBe(
      ErrorCode.CHUNK_DIGEST_MISMATCH,
    );
    expect(assembler.nextIndex).toBe(1);
    for (let index = 1; index < manifest.chunks.length; index++) {
      await assembler.openChunkFile(index, chunk(index));
    }
    expect((await assembler.finish()).sha256).toBe(manifest.sha256);
    void other;
  }, 60_000);

  it('refuses a chunk signed by another key even when the manifest lists it', async () => {
    const forged = await sealFile(
      source,
      {
        fileId: 'f1',
        name: 'x',
        mediaType: 'application/pdf',
        category: 'other',
        sha256: source.sha256(),
      },
      { signingKey: rogue.privateKey, recipientKey: ng.publicKey },
      { outDir: join(work, 'forged'), chunkBytes: CHUNK, pool, durable: false },
    );
    const assembler = await FileAssembler.begin(forged, openingKeys(), target());
    expect(await codeOf(assembler.openChunkFile(0, join(work, 'forged', chunkFileName(0))))).toBe(
      ErrorCode.CHUNK_SIGNATURE_INVALID,
    );
    expect(assembler.nextIndex).toBe(0);
    await assembler.abort();
  }, 60_000);

  it('refuses a file whose chunks open but whose whole digest is not the manifest one', async () => {
    const lying = { ...manifest, sha256: 'f'.repeat(64) };
    const to = target();
    const assembler = await FileAssembler.begin(lying, openingKeys(), to);
    for (let index = 0; index < manifest.chunks.length; index++) {
      await assembler.openChunkFile(index, join(sealedDir, chunkFileName(index)));
    }
    expect(await codeOf(assembler.finish())).toBe(ErrorCode.FILE_DIGEST_MISMATCH);
  }, 60_000);

  it('opens a chunk the same whatever pieces it arrives in, and never opens it altered into other content', async () => {
    const sealed = readFileSync(join(sealedDir, chunkFileName(0)));
    const open = async (pieces: Buffer[]) => {
      const out: Buffer[] = [];
      async function* input() {
        // Each piece is handed over in one buffer, reused for the next, as the assembler reads.
        const scratch = Buffer.alloc(Math.max(...pieces.map((piece) => piece.length)));
        for (const piece of pieces) {
          piece.copy(scratch);
          yield scratch.subarray(0, piece.length);
          scratch.fill(0);
        }
      }
      await openSealedChunk(
        input(),
        openingKeys(),
        (piece) => void out.push(Buffer.from(piece)),
        CHUNK,
      );
      return Buffer.concat(out);
    };
    const whole = await open([sealed]);
    expect(whole.length).toBe(CHUNK);
    // Cuts around the 22 bytes held back for the MDC, and anywhere else.
    const cut = fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 41, max: 40_000 }));
    await fc.assert(
      fc.asyncProperty(fc.array(cut, { minLength: 1, maxLength: 40 }), async (sizes) => {
        const pieces: Buffer[] = [];
        for (let at = 0, i = 0; at < sealed.length; i++) {
          const size = sizes[i % sizes.length];
          pieces.push(sealed.subarray(at, at + size));
          at += size;
        }
        expect((await open(pieces)).equals(whole)).toBe(true);
      }),
      { numRuns: 60 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: sealed.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (at, xor) => {
          const altered = Buffer.from(sealed);
          altered[at] ^= xor;
          // Refused, or (a byte no one reads: another recipient's session key) the same plaintext:
          // never other content.
          const opened = await open([altered]).catch((error: unknown) => error);
          if (Buffer.isBuffer(opened)) expect(opened.equals(whole)).toBe(true);
          else expect((opened as GatewayError).code).toMatch(/^CHUNK_/);
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);

  it('resumes after a restart from the chunks committed so far', async () => {
    const to = target();
    const first = await FileAssembler.begin(manifest, openingKeys(), to);
    await first.openChunkFile(0, join(sealedDir, chunkFileName(0)));
    await first.openChunkFile(1, join(sealedDir, chunkFileName(1)));
    await first.close();
    const resumed = await FileAssembler.resume(manifest, openingKeys(), to);
    expect(resumed.nextIndex).toBe(2);
    for (let index = 2; index < manifest.chunks.length; index++) {
      await resumed.openChunkFile(index, join(sealedDir, chunkFileName(index)));
    }
    expect((await resumed.finish()).sha256).toBe(manifest.sha256);
  }, 60_000);
});
