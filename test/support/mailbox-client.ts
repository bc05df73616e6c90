/** One server-sent event as the client read it. */
export interface ReceivedEvent {
  id: string;
  type: string;
  data: { messageId?: string; requestId?: string; status?: string; [key: string]: unknown };
  at: number;
}

/**
 * A mailbox client that behaves as a browser's EventSource: it reads the stream, and whenever the
 * stream ends (the gateway killed, the connection cut) it connects again with the last event id it
 * saw in `Last-Event-ID`, so that the gateway replays what it missed. It keeps every event.
 */
export class ResilientMailbox {
  readonly events: ReceivedEvent[] = [];
  private lastEventId?: string;
  private controller?: AbortController;
  private stopped = false;
  private running?: Promise<void>;
  /** Connections opened (the first one included) and ones refused (non-200 answers). */
  connections = 0;
  refusals = 0;

  constructor(
    private readonly url: string,
    private readonly headers: () => Promise<Record<string, string>>,
    private readonly retryMs = 500,
  ) {}

  start(): void {
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.controller?.abort();
    await this.running;
  }

  /** The events of a message, by type. */
  seen(type: string, messageId: string): boolean {
    return this.events.some((event) => event.type === type && event.data.messageId === messageId);
  }

  /** Ids repeated in the stream (a replay that sends an event twice). */
  duplicates(): string[] {
    const ids = this.events.map((event) => event.id);
    return ids.filter((id, i) => ids.indexOf(id) !== i);
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.connect();
      } catch {
        // Connection refused or cut: connect again, as EventSource does.
      }
      if (!this.stopped) await new Promise((resolve) => setTimeout(resolve, this.retryMs));
    }
  }

  private async connect(): Promise<void> {
    this.controller = new AbortController();
    const response = await fetch(this.url, {
      signal: this.controller.signal,
      headers: {
        accept: 'text/event-stream',
        ...(await this.headers()),
        ...(this.lastEventId ? { 'last-event-id': this.lastEventId } : {}),
      },
    });
    this.connections += 1;
    if (response.status !== 200 || !response.body) {
      this.refusals += 1;
      await response.body?.cancel();
      return;
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        this.dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  }

  private dispatch(block: string): void {
    let id: string | undefined;
    let type = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      const colon = line.indexOf(':');
      if (colon === 0) continue;
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
    }
    if (id !== undefined) this.lastEventId = id;
    if (data.length === 0) return;
    this.events.push({
      id: id ?? '',
      type,
      data: JSON.parse(data.join('\n')) as ReceivedEvent['data'],
      at: Date.now(),
    });
  }
}
