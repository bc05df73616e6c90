import { Injectable } from '@nestjs/common';
import {
  ENVELOPE_MEDIA_TYPE,
  INBOUND_PATH,
  ROUTING_HEADERS,
  type EnvelopeRouting,
} from '#libs/envelope';

export type PeerAnswer = { ok: true; receipt: string } | { ok: false; reason: string };

/** HTTP client of the peer inbound endpoint. Never throws: every failure is an answer to retry on. */
@Injectable()
export class PeerClient {
  async deliver(
    endpoint: string,
    routing: EnvelopeRouting,
    armored: string,
    options: { correlationId: string | null; timeoutMs: number },
  ): Promise<PeerAnswer> {
    let response: Response;
    try {
      response = await fetch(new URL(INBOUND_PATH, endpoint), {
        method: 'POST',
        headers: {
          'content-type': ENVELOPE_MEDIA_TYPE,
          [ROUTING_HEADERS.sender]: routing.sender,
          [ROUTING_HEADERS.recipient]: routing.recipient,
          [ROUTING_HEADERS.messageId]: routing.messageId,
          ...(options.correlationId
            ? { [ROUTING_HEADERS.correlationId]: options.correlationId }
            : {}),
        },
        body: armored,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return { ok: false, reason: `peer unreachable: ${cause ?? (error as Error).name}` };
    }
    const text = await response.text().catch(() => '');
    if (response.status === 200) return { ok: true, receipt: text };
    let code = '';
    try {
      code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? '';
    } catch {
      // Not our error format (a proxy, a different service): the status says enough.
    }
    return { ok: false, reason: `peer answered ${response.status}${code ? ` ${code}` : ''}` };
  }
}
