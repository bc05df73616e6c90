import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { ErrorCode, GatewayError } from '#libs/errors';

/** `bytes=a-b`, `bytes=a-`, `bytes=-n`: one range, or none (the whole file) when absent. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Several ranges, or another unit: served whole, as RFC 9110 allows.
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]));
    end = size;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size : Math.min(size, Number(match[2]) + 1);
  }
  if (start >= size || start >= end) {
    throw new GatewayError(
      ErrorCode.RANGE_NOT_SATISFIABLE,
      `the range ${header} is not within the file's ${size} bytes`,
      [{ field: 'Range', size }],
    );
  }
  return { start, end };
}

/** The part of a decrypted file at rest that a download reads. */
export interface FileReader {
  range(start: number, end: number): AsyncIterable<Buffer>;
  close(): Promise<void>;
}

/**
 * Serves a decrypted file, whole or one byte range (RFC 9110), with its SHA-256 as `Digest`: the
 * retrieval is recorded (audited) before the first byte leaves, and the reader closed whatever
 * happens.
 */
export async function serveFile(
  req: Request,
  res: Response,
  file: { name: string; mediaType: string; size: number; sha256: string },
  reader: FileReader,
  recordRetrieval: (served: { start: number; end: number }) => Promise<unknown>,
): Promise<void> {
  try {
    const range = parseRange(req.headers.range, file.size);
    const served = range ?? { start: 0, end: file.size };
    await recordRetrieval(served);
    res.status(range ? 206 : 200);
    res.setHeader('Content-Type', file.mediaType);
    res.setHeader('Content-Length', String(served.end - served.start));
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Digest', `sha-256=${Buffer.from(file.sha256, 'hex').toString('base64')}`);
    res.setHeader(
      'Content-Disposition',
      `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`,
    );
    if (range) res.setHeader('Content-Range', `bytes ${range.start}-${range.end - 1}/${file.size}`);
    if (served.end > served.start) {
      await pipeline(Readable.from(reader.range(served.start, served.end)), res);
    } else {
      res.end();
    }
  } finally {
    await reader.close();
  }
}
