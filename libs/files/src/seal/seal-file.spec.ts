import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GeneratedPlaintext,
  gnupgHome,
  gpgAvailable,
  testParty,
  type TestParty,
} from '../testing/fixtures.js';
import { chunkFileName, sealFile } from './seal-file.js';

describe('sealing a file in chunks', () => {
  let fr: TestParty;
  let ng: TestParty;

  beforeAll(async () => {
    [fr, ng] = await Promise.all([testParty('FR-MOJ-BEPI'), testParty('NG-MOJ-CA')]);
  }, 60_000);

  (gpgAvailable ? it : it.skip)(
    'seals chunks that GnuPG decrypts and verifies one by one',
    async () => {
      const source = new GeneratedPlaintext(3 * 65536 + 1234);
      const outDir = join(mkdtempSync(join(tmpdir(), 'seal-')), 'out');
      const manifest = await sealFile(
        source,
        {
          fileId: 'f1',
          name: 'scan.pdf',
          mediaType: 'application/pdf',
          category: 'evidence-item',
          sha256: source.sha256(),
        },
        { signingKey: fr.privateKey, recipientKey: ng.publicKey },
        { outDir, chunkBytes: 65536, durable: false },
      );
      expect(manifest.chunks).toHaveLength(4);
      expect(readdirSync(outDir).sort()).toEqual([0, 1, 2, 3].map(chunkFileName));
      const { gpg } = gnupgHome(fr.armoredPublic, ng.armoredPrivate);
      const joined = createHash('sha256');
      manifest.chunks.forEach((chunk, index) => {
        const file = join(outDir, chunkFileName(index));
        expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(chunk.sha256);
        const { stdout, status } = gpg(['--decrypt', file]);
        expect(status).toContain('[GNUPG:] GOODSIG');
        expect(status).toContain('[GNUPG:] GOODMDC');
        joined.update(stdout);
      });
      expect(joined.digest('hex')).toBe(manifest.sha256);
    },
    60_000,
  );
});
