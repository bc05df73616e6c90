import { extractText, getDocumentProxy } from 'unpdf';
import { scanText, type TermFinding } from './scanner.js';

/** Why an attachment's text could not be read. */
export type UnscannableReason = 'unsupported-media-type' | 'unreadable';

/** Raised by extractAttachmentText when an attachment's text cannot be read. */
export class AttachmentTextError extends Error {
  constructor(
    readonly reason: UnscannableReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AttachmentTextError';
  }
}

/** The outcome of scanning an attachment: its findings, or why it could not be scanned. */
export type AttachmentScan =
  | {
      readonly scanned: true;
      readonly findings: TermFinding[];
      /** Characters of text extracted: 0 for a scanned image saved as PDF, which hides its text. */
      readonly textLength: number;
    }
  | { readonly scanned: false; readonly reason: UnscannableReason; readonly detail: string };

interface MediaType {
  readonly essence: string;
  readonly charset?: string;
}

function parseMediaType(mediaType: string): MediaType {
  const [essence = '', ...parameters] = mediaType.split(';').map((part) => part.trim());
  let charset: string | undefined;
  for (const parameter of parameters) {
    const match = /^charset\s*=\s*"?([^";]+)"?$/i.exec(parameter);
    if (match) charset = match[1].trim().toLowerCase();
  }
  return { essence: essence.toLowerCase(), charset };
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
 * Text in the declared charset (any WHATWG encoding label: utf-8, windows-1251, koi8-r,
 * iso-8859-6, gb18030, big5, shift_jis, utf-16le...). Without one: a byte-order mark decides,
 * else UTF-8 if the bytes are valid UTF-8, else windows-1252.
 */
function decodeText(bytes: Uint8Array, charset: string | undefined): string {
  if (charset !== undefined) {
    try {
      return new TextDecoder(charset).decode(bytes);
    } catch (error) {
      throw new AttachmentTextError('unreadable', `unknown charset "${charset}"`, { cause: error });
    }
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/**
 * The text of a PDF, with PDF.js (through unpdf, its build for server runtimes, which never
 * evaluates code from a document), neither system fonts nor font faces loaded. The caller's bytes
 * are copied: PDF.js takes ownership of the buffer it is given.
 */
async function pdfText(bytes: Uint8Array): Promise<string> {
  let document: Awaited<ReturnType<typeof getDocumentProxy>> | undefined;
  try {
    document = await getDocumentProxy(new Uint8Array(bytes), {
      useSystemFonts: false,
      disableFontFace: true,
      verbosity: 0,
    });
    const { text } = await extractText(document, { mergePages: true });
    return text;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new AttachmentTextError('unreadable', `the PDF cannot be read: ${detail}`, {
      cause: error,
    });
  } finally {
    await document?.loadingTask.destroy();
  }
}

/**
 * The text of an attachment: `application/pdf` (its text layer), `text/*`, JSON and XML (in their
 * charset). Anything else — images, office documents, archives — raises an AttachmentTextError
 * ('unsupported-media-type'), as does a PDF that cannot be parsed ('unreadable').
 */
export async function extractAttachmentText(bytes: Uint8Array, mediaType: string): Promise<string> {
  const { essence, charset } = parseMediaType(mediaType);
  if (essence === 'application/pdf') return pdfText(bytes);
  if (isTextual(essence)) return decodeText(bytes, charset);
  throw new AttachmentTextError(
    'unsupported-media-type',
    `no text can be extracted from ${essence || 'an attachment without a media type'}`,
  );
}

/**
 * The protection terms (W-6) in an attachment, or why it could not be scanned: an attachment that
 * cannot be read cannot be cleared either, and the policy should say so.
 */
export async function scanAttachment(
  bytes: Uint8Array,
  mediaType: string,
): Promise<AttachmentScan> {
  try {
    const text = await extractAttachmentText(bytes, mediaType);
    return { scanned: true, findings: scanText(text), textLength: text.length };
  } catch (error) {
    if (error instanceof AttachmentTextError) {
      return { scanned: false, reason: error.reason, detail: error.message };
    }
    throw error;
  }
}
