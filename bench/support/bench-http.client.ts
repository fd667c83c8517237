import { randomUUID } from 'node:crypto';

// Response bodies of the command API: only `id` is read here.
export interface CommandReply {
  status: number;
  body: { id?: string; [key: string]: unknown } | undefined;
}

/** POSTs commands to the running API for the seeding: each with its own Idempotency-Key, retried once on a network error. */
export class BenchHttpClient {
  constructor(private readonly baseUrl: string) {}

  async send(path: string, json: unknown, token: string, key: string = randomUUID()): Promise<CommandReply> {
    const init: RequestInit = {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Idempotency-Key': key },
      body: JSON.stringify(json),
    };
    let r: Response;
    try {
      r = await fetch(`${this.baseUrl}${path}`, init);
    } catch {
      // Same key: a retry has its effect once.
      r = await fetch(`${this.baseUrl}${path}`, init);
    }
    const text = await r.text();
    return { status: r.status, body: text ? (JSON.parse(text) as CommandReply['body']) : undefined };
  }

  /** A POST that must succeed (2xx): throws with the answer otherwise. */
  async ok(path: string, json: unknown, token: string): Promise<CommandReply> {
    const r = await this.send(path, json, token);
    if (r.status < 200 || r.status >= 300) throw new Error(`seeding: POST ${path} answered ${r.status}: ${JSON.stringify(r.body)}`);
    return r;
  }
}
