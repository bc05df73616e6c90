import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo } from '../apps/cli/src/demo.js';

/*
 * The demo's tour with `--out`: the files it sends travel sealed, and DIR/<message-id>.attachments/
 * holds them as the recipient received them, checkable offline with GnuPG and the recipient's key.
 */

const NG = 'NG-MOJ-CA';

interface SummaryAttachment {
  messageId: string;
  from: string;
  receivedBy: string;
  name: string;
  mediaType: string;
  category: string;
  size: number;
  sha256: string;
  manifest: string;
  chunks: Array<{ file: string; bytes: number; sha256: string }>;
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('demo --out', () => {
  it('writes each file as received (sealed chunks and manifest) and lists it in summary.json; GnuPG opens it', async () => {
    // The network's folder is emptied when it starts: the output goes elsewhere.
    const workDir = join(tmpdir(), 'gateway-e2e-demo');
    const out = mkdtempSync(join(tmpdir(), 'gateway-e2e-demo-out-'));
    await runDemo({ out, workDir });

    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
      attachments: SummaryAttachment[];
    };
    expect(summary.attachments.map((a) => [a.name, a.category, a.receivedBy]).sort()).toEqual([
      ['birth-certificate-extract.pdf', 'identity-document', NG],
      ['surveillance-log.txt', 'evidence-item', 'IT-MOJ-DAG'],
      ['surveillance-log.txt', 'evidence-item', NG],
    ]);
    for (const attachment of summary.attachments) {
      expect(attachment.manifest).toBe(`${attachment.messageId}.attachments/0/manifest.json`);
      const manifest = JSON.parse(readFileSync(join(out, attachment.manifest), 'utf8')) as {
        sha256: string;
        chunks: Array<{ sha256: string }>;
      };
      expect(manifest.sha256).toBe(attachment.sha256);
      expect(attachment.chunks.map((c) => sha256(readFileSync(join(out, c.file))))).toEqual(
        manifest.chunks.map((c) => c.sha256),
      );
    }

    // Offline, as README's Evidence files says: NG's key opens the PDF sealed for it.
    const pdf = summary.attachments.find((a) => a.mediaType === 'application/pdf')!;
    const home = mkdtempSync(join(tmpdir(), 'gnupg-demo-'));
    const secrets = join(workDir, 'secrets');
    const gpg = (args: string[]) =>
      execFileSync(
        'gpg',
        [
          '--homedir',
          home,
          '--batch',
          '--pinentry-mode',
          'loopback',
          '--passphrase-file',
          join(secrets, `${NG}.passphrase`),
          ...args,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
    gpg(['--import', join(secrets, `${NG}.key.asc`)]);
    gpg(['--import', join(out, 'keys', `${pdf.from}.asc`)]);
    const status = join(home, 'status');
    const opened = join(home, 'birth-certificate.pdf');
    gpg(['--status-file', status, '--output', opened, '--decrypt', join(out, pdf.chunks[0].file)]);
    expect(readFileSync(status, 'utf8')).toMatch(/GOODSIG[\s\S]*GOODMDC|GOODMDC[\s\S]*GOODSIG/);
    const plaintext = readFileSync(opened);
    expect(sha256(plaintext)).toBe(pdf.sha256);
    expect(plaintext.subarray(0, 5).toString()).toBe('%PDF-');
  });
});
