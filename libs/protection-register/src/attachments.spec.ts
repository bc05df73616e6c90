import { minimalPdf } from '../../../test/support/pdf.js';
import { AttachmentTextError, extractAttachmentText, scanAttachment } from './attachments.js';

/** Russian text in windows-1251 (Cyrillic А–я at 0xC0–0xFF). */
function windows1251(text: string): Uint8Array {
  return Uint8Array.from(
    [...text].map((c) => (c >= 'А' && c <= 'я' ? c.charCodeAt(0) - 0x350 : c.charCodeAt(0))),
  );
}

describe('extractAttachmentText', () => {
  it('reads the text layer of a PDF', async () => {
    const pdf = minimalPdf(["Objet : demande d'asile", 'Réfugiée (Syrie)']);
    const text = await extractAttachmentText(pdf, 'application/pdf');
    expect(text).toContain("demande d'asile");
    expect(text).toContain('Réfugiée (Syrie)');
  });

  it('reads a compressed content stream and leaves the caller’s bytes intact', async () => {
    const pdf = minimalPdf(['Nationality verification request'], { compress: true });
    const copy = pdf.slice();
    await expect(extractAttachmentText(pdf, 'Application/PDF')).resolves.toContain(
      'Nationality verification request',
    );
    expect(pdf).toEqual(copy);
  });

  it('decodes plain text in its declared charset', async () => {
    const bytes = windows1251('Она беженка');
    await expect(extractAttachmentText(bytes, 'text/plain; charset="windows-1251"')).resolves.toBe(
      'Она беженка',
    );
  });

  it('decodes UTF-8 by default, UTF-16 by its byte-order mark, else windows-1252', async () => {
    const text = 'réfugiée — لاجئ';
    await expect(extractAttachmentText(Buffer.from(text), 'text/plain')).resolves.toBe(text);
    const utf16 = Buffer.from(`\ufeff${text}`, 'utf16le');
    await expect(extractAttachmentText(utf16, 'text/plain')).resolves.toBe(text);
    await expect(
      extractAttachmentText(Buffer.from('réfugiée', 'latin1'), 'text/csv'),
    ).resolves.toBe('réfugiée');
    await expect(
      extractAttachmentText(Buffer.from('{"a":"asylum"}'), 'application/vnd.api+json'),
    ).resolves.toBe('{"a":"asylum"}');
  });

  it('refuses media types it cannot read, and PDFs that are not PDFs', async () => {
    await expect(extractAttachmentText(new Uint8Array([0xff, 0xd8]), 'image/jpeg')).rejects.toEqual(
      expect.objectContaining({ reason: 'unsupported-media-type' }),
    );
    await expect(
      extractAttachmentText(Buffer.from('x'), 'text/plain; charset=klingon'),
    ).rejects.toBeInstanceOf(AttachmentTextError);
    await expect(
      extractAttachmentText(Buffer.from('%PDF-1.4 garbage'), 'application/pdf'),
    ).rejects.toEqual(expect.objectContaining({ reason: 'unreadable' }));
  });
});

describe('scanAttachment', () => {
  it('finds "demande d\'asile" in a PDF', async () => {
    const pdf = minimalPdf(["Objet : suite de sa demande d'asile", 'Veuillez agréer...']);
    const scan = await scanAttachment(pdf, 'application/pdf');
    expect(scan).toEqual({
      scanned: true,
      textLength: expect.any(Number) as number,
      findings: [expect.objectContaining({ language: 'fr', term: 'asile', match: 'asile' })],
    });
  });

  it('finds "demande d\'asile" in a plain-text attachment', async () => {
    const text = "Compte rendu : l'intéressée a déposé une demande d'asile le 3 mars.";
    const scan = await scanAttachment(Buffer.from(text), 'text/plain; charset=utf-8');
    expect(scan.scanned && scan.findings.map((finding) => finding.term)).toEqual(['asile']);
  });

  it('finds nothing in a harmless PDF, but says how much text it read', async () => {
    const scan = await scanAttachment(
      minimalPdf(['Request for travel documents']),
      'application/pdf',
    );
    expect(scan).toEqual({ scanned: true, findings: [], textLength: 28 });
  });

  it('says why an attachment could not be scanned', async () => {
    await expect(scanAttachment(new Uint8Array([1, 2, 3]), 'image/png')).resolves.toEqual({
      scanned: false,
      reason: 'unsupported-media-type',
      detail: 'no text can be extracted from image/png',
    });
    await expect(scanAttachment(Buffer.from('not a pdf'), 'application/pdf')).resolves.toEqual(
      expect.objectContaining({ scanned: false, reason: 'unreadable' }),
    );
  });
});
