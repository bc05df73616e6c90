import { AttachmentTextError, extractAttachmentText } from '#libs/protection-register';
import type { EncryptedFileReader } from '../at-rest/encrypted-file.js';

/** At most this many characters of a file's text are extracted for the scanners. */
export const MAX_TEXT_CHARS = 2_000_000;
/** PDFs are parsed whole (PDF.js needs the cross-reference table at the end): at most this size. */
export const MAX_PDF_BYTES = 64 * 1024 * 1024;

/** A stored file's text for the safeguards, or why there is none. */
export type StoredText =
  | { readonly extracted: true; readonly text: string; readonly truncated: boolean }
  | {
      readonly extracted: false;
      readonly reason: 'unsupported-media-type' | 'unreadable' | 'too-large';
      readonly detail: string;
    };

function essenceOf(mediaType: string): string {
  return mediaType.split(';')[0].trim().toLowerCase();
}

function isTextual(essence: string): boolean {
  return (
    essence.startsWith('text/') ||
    essence === 'application/json' ||
    essence === 'application/xml' ||
    essence.endsWith('+json') ||
    essence.endsWith('+xml')
  );
}

/**
 * Extracts the text of a stored file for scanning, in bounded memory: plain text (in its charset)
 * is decoded as it streams, up to MAX_TEXT_CHARS (`truncated` says the rest was not read); a PDF's
 * text layer is read with the same extractor as envelope attachments (PDF.js through unpdf,
 * protection-register) if the PDF is at most MAX_PDF_BYTES. Images, office documents and archives
 * are 'unsupported-media-type': a file that cannot be read cannot be cleared, and the policy
 * decides what that means.
 */
export async function extractStoredText(
  reader: EncryptedFileReader,
  mediaType: string,
  maxChars = MAX_TEXT_CHARS,
): Promise<StoredText> {
  const essence = essenceOf(mediaType);
  if (essence === 'application/pdf') {
    if (reader.length > MAX_PDF_BYTES) {
      return {
        extracted: false,
        reason: 'too-large',
        detail: `a PDF over ${MAX_PDF_BYTES} bytes is not parsed for text`,
      };
    }
    const bytes = new Uint8Array(reader.length);
    await reader.readInto(0, bytes);
    return fromAttachment(bytes, mediaType, maxChars);
  }
  if (!isTextual(essence)) {
    return fromAttachment(new Uint8Array(0), mediaType, maxChars);
  }
  // Enough bytes for maxChars characters in any encoding (at most 4 bytes each), read in order.
  const limit = Math.min(reader.length, maxChars * 4);
  const bytes = new Uint8Array(limit);
  await reader.readInto(0, bytes);
  const result = await fromAttachment(bytes, mediaType, maxChars);
  return result.extracted && limit < reader.length ? { ...result, truncated: true } : result;
}

async function fromAttachment(
  bytes: Uint8Array,
  mediaType: string,
  maxChars: number,
): Promise<StoredText> {
  try {
    const text = await extractAttachmentText(bytes, mediaType);
    return {
      extracted: true,
      text: text.length > maxChars ? text.slice(0, maxChars) : text,
      truncated: text.length > maxChars,
    };
  } catch (error) {
    if (error instanceof AttachmentTextError) {
      return { extracted: false, reason: error.reason, detail: error.message };
    }
    throw error;
  }
}
