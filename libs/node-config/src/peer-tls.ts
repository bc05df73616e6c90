import { readFileSync } from 'node:fs';
import { Agent as PlainAgent, request as plainRequest, type IncomingMessage } from 'node:http';
import { Agent, request } from 'node:https';
import { Readable } from 'node:stream';
import { checkServerIdentity, type DetailedPeerCertificate, type PeerCertificate } from 'node:tls';
import type { OnModuleDestroy } from '@nestjs/common';
import { ErrorCode, GatewayError } from '#libs/errors';
import type { NodeConfig } from './node-config.js';

/** The node's TLS material, read once from the files GATEWAY_TLS_* name. */
export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  /** The CAs that vouch for peers' certificates (GATEWAY_TLS_CA_FILE). */
  ca?: Buffer;
}

export function loadTlsMaterial(tls: NodeConfig['tls']): TlsMaterial | undefined {
  if (!tls) return undefined;
  const read = (file: string, variable: string) => {
    try {
      return readFileSync(file);
    } catch {
      throw new GatewayError(
        ErrorCode.CONFIGURATION_INVALID,
        `the file named by ${variable} cannot be read`,
        [{ field: variable }],
      );
    }
  };
  return {
    cert: read(tls.certFile, 'GATEWAY_TLS_CERT_FILE'),
    key: read(tls.keyFile, 'GATEWAY_TLS_KEY_FILE'),
    ...(tls.caFile && { ca: read(tls.caFile, 'GATEWAY_TLS_CA_FILE') }),
  };
}

/**
 * Whether a certificate, or one of the CA certificates above it in the chain the peer presented,
 * has one of the pinned SHA-256 fingerprints (normalised: 64 upper-case hex digits).
 */
export function certificateMatchesPins(
  certificate: PeerCertificate | DetailedPeerCertificate,
  pins: readonly string[],
): boolean {
  const seen = new Set<string>();
  let current: PeerCertificate | DetailedPeerCertificate | undefined = certificate;
  while (current?.fingerprint256 && !seen.has(current.fingerprint256)) {
    const fingerprint = current.fingerprint256.replace(/:/g, '').toUpperCase();
    if (pins.includes(fingerprint)) return true;
    seen.add(current.fingerprint256);
    current = (current as DetailedPeerCertificate).issuerCertificate;
  }
  return false;
}

/** A transport failure in the shape fetch gives one (`cause.code`), which callers read. */
function transportFailure(code: string, message: string): Error {
  return Object.assign(new TypeError('fetch failed'), {
    cause: Object.assign(new Error(message), { code }),
  });
}

/**
 * POSTs to another node's peer endpoint. Over HTTPS the node presents its own certificate (mutual
 * TLS), verifies the peer's against the CAs of GATEWAY_TLS_CA_FILE (the system's without it) and
 * its host name, and, when the peer's directory entry pins certificates, requires one of them in
 * the chain. A pinned peer is never reached over plain HTTP. The body is written as given (a file
 * chunk is not copied on its way out); the answer streams, for the caller to read within its bound.
 */
export class PeerTransport implements OnModuleDestroy {
  private readonly agents = new Map<string, Agent>();
  private readonly plainAgent = new PlainAgent({ keepAlive: true });

  constructor(private readonly material?: TlsMaterial) {}

  async post(
    url: URL,
    init: {
      headers: Record<string, string>;
      body: string | Uint8Array;
      signal?: AbortSignal;
      /** POST by default; file chunks are PUT. */
      method?: 'POST' | 'PUT';
      /**
       * Told once the request holds the body no more: written out whole, or its connection closed.
       * Until then the body's memory must not change (it may be on its way).
       */
      bodyReleased?: () => void;
    },
    pins: readonly string[] = [],
  ): Promise<Response> {
    const method = init.method ?? 'POST';
    const secure = url.protocol === 'https:';
    if (!secure && pins.length > 0) {
      throw transportFailure(
        ErrorCode.PEER_CERTIFICATE_MISMATCH,
        'a peer with pinned certificates is reached over HTTPS only',
      );
    }
    const options = { method, headers: init.headers, signal: init.signal };
    return new Promise<Response>((resolve, reject) => {
      const answered = (incoming: IncomingMessage) => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(incoming.headers)) {
          for (const one of [value ?? []].flat()) headers.append(name, one);
        }
        const status = incoming.statusCode ?? 502;
        if ([101, 204, 205, 304].includes(status)) {
          incoming.resume();
          resolve(new Response(null, { status, headers }));
          return;
        }
        resolve(new Response(Readable.toWeb(incoming) as ReadableStream, { status, headers }));
      };
      const outgoing = secure
        ? request(url, { ...options, agent: this.agentFor(pins) }, answered)
        : plainRequest(url, { ...options, agent: this.plainAgent }, answered);
      const { bodyReleased } = init;
      if (bodyReleased) {
        let told = false;
        let detach = () => {};
        const release = () => {
          detach();
          if (!told) bodyReleased();
          told = true;
        };
        outgoing.once('finish', release);
        // A kept-alive socket outlives the request: its listener goes with the release.
        outgoing.once('socket', (socket) => {
          socket.once('close', release);
          detach = () => socket.removeListener('close', release);
        });
      }
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        reject(
          error.name === 'AbortError'
            ? error
            : transportFailure(
                error.code ?? (secure ? 'TLS_FAILURE' : 'NETWORK_FAILURE'),
                error.message,
              ),
        );
      });
      outgoing.end(init.body);
    });
  }

  onModuleDestroy(): void {
    this.plainAgent.destroy();
    for (const agent of this.agents.values()) agent.destroy();
  }

  private agentFor(pins: readonly string[]): Agent {
    const key = pins.join(',');
    let agent = this.agents.get(key);
    if (!agent) {
      agent = new Agent({
        keepAlive: true,
        cert: this.material?.cert,
        key: this.material?.key,
        ca: this.material?.ca,
        checkServerIdentity: (host, certificate) => {
          const mismatch = checkServerIdentity(host, certificate);
          if (mismatch) return mismatch;
          if (pins.length > 0 && !certificateMatchesPins(certificate, pins)) {
            return Object.assign(
              new Error("the peer's certificate matches none of its directory pins"),
              { code: ErrorCode.PEER_CERTIFICATE_MISMATCH },
            );
          }
          return undefined;
        },
      });
      this.agents.set(key, agent);
    }
    return agent;
  }
}
