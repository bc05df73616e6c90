import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { ColumnCipher, DataKey } from '#libs/persistence';
import { EncryptedFileReader, EncryptedFileWriter } from './encrypted-file.js';

describe('a file at rest read by range', () => {
  const dir = mkdtempSync(join(tmpdir(), 'at-rest-'));
  const keys = new ColumnCipher(new DataKey(randomBytes(32)), []);
  // Records of 4 KiB (exponent 12): a range crosses many of them, and the last is partial.
  const plaintext = randomBytes(10 * 4096 + 1234);
  const path = join(dir, 'file.tipf');

  beforeAll(async () => {
    const writer = await EncryptedFileWriter.create(path, 'file-1', keys, 12);
    await writer.write(plaintext);
    await writer.commit();
    await writer.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives every range its own bytes, each piece still whole once the next is read', async () => {
    const reader = await EncryptedFileReader.open(path, 'file-1', keys);
    try {
      await fc.assert(
        fc.asyncProperty(
          fc
            .tuple(
              fc.integer({ min: 0, max: plaintext.length }),
              fc.integer({ min: 0, max: plaintext.length }),
            )
            .map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const),
          async ([start, end]) => {
            // Kept as given, not copied: a piece that shared memory with the next would change.
            const pieces: Buffer[] = [];
            for await (const piece of reader.range(start, end)) pieces.push(piece);
            expect(Buffer.concat(pieces).equals(plaintext.subarray(start, end))).toBe(true);
          },
        ),
        { numRuns: 60 },
      );
    } finally {
      await reader.close();
    }
  });
});
