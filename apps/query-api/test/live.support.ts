/** One server-sent event as a client sees it. */
export interface SseEvent {
  event: string;
  id?: string;
  data: Record<string, unknown>;
}

/**
 * A minimal EventSource for tests (Node's fetch, reading the stream): keeps every event and comment,
 * and lets a test wait for the one it expects.
 */
export class SseClient {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  retry: number | undefined;
  ended = false;
  private buffer = '';

  private constructor(
    readonly status: number,
    readonly contentType: string | null,
    private readonly abort: AbortController,
  ) {}

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const ctl = new AbortController();
    const res = await fetch(url, { headers: { Accept: 'text/event-stream', ...headers }, signal: ctl.signal });
    const client = new SseClient(res.status, res.headers.get('content-type'), ctl);
    if (res.status !== 200 || !res.body) {
      client.ended = true;
      client.events.push({ event: 'http-error', data: (await res.json().catch(() => ({}))) as Record<string, unknown> });
      return client;
    }
    void client.read(res.body);
    return client;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    const reader = body.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        this.buffer += decoder.decode(value, { stream: true });
        let i: number;
        while ((i = this.buffer.indexOf('\n\n')) >= 0) {
          this.parse(this.buffer.slice(0, i));
          this.buffer = this.buffer.slice(i + 2);
        }
      }
    } catch {
      // aborted by close()
    } finally {
      this.ended = true;
    }
  }

  private parse(block: string): void {
    let event = 'message';
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
      else if (line.startsWith('id: ')) id = line.slice(4);
      else if (line.startsWith('retry: ')) this.retry = Number(line.slice(7));
    }
    if (data.length) this.events.push({ event, id, data: JSON.parse(data.join('\n')) as Record<string, unknown> });
  }

  /** The first event (from `from` on) that is `event` and passes `match`. */
  async next(event: string, match: (d: Record<string, unknown>) => boolean = () => true, timeoutMs = 10_000, from = 0): Promise<SseEvent> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.slice(from).find((e) => e.event === event && match(e.data));
      if (hit) return hit;
      if (this.ended) throw new Error(`stream ended without ${event}; got ${JSON.stringify(this.events.map((e) => e.event))}`);
      if (Date.now() > until) throw new Error(`no ${event} within ${timeoutMs} ms; got ${JSON.stringify(this.events)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** How many `changed` events so far. */
  get changes(): SseEvent[] {
    return this.events.filter((e) => e.event === 'changed');
  }

  close(): void {
    this.abort.abort();
  }
}
