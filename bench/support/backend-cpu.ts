import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { Pool } from 'pg';

/**
 * CPU seconds that PostgreSQL spends for THIS process only (its backends), apart from the other
 * clients of a shared machine: this process's TCP sockets (/proc/self/fd → socket inodes →
 * /proc/net/tcp local ports) are matched with pg_stat_activity's client_port, and the backends'
 * /proc/<pid>/stat CPU is read. Sampled every `everyMs`, since pools open and close connections:
 * a backend counts from its first sample to its last (a few ms may be missed at either end).
 */
export class BackendCpu {
  private readonly seen = new Map<number, { first: number; last: number }>();
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(private readonly admin: Pool, private readonly everyMs = 200) {}

  start(): this {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.everyMs);
    return this;
  }

  /** Backend CPU seconds since start (or since `from`, an earlier reading). */
  async read(): Promise<number> {
    await this.sample();
    let s = 0;
    for (const v of this.seen.values()) s += v.last - v.first;
    return s;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const ports = ownLocalPorts();
      if (!ports.length) return;
      const { rows } = await this.admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE client_port = ANY($1::int[]) AND pid <> pg_backend_pid()', [ports]);
      for (const { pid } of rows) {
        const cpu = procCpuSeconds(pid);
        if (cpu === undefined) continue;
        const v = this.seen.get(pid);
        if (v) v.last = cpu;
        else this.seen.set(pid, { first: cpu, last: cpu });
      }
    } finally {
      this.busy = false;
    }
  }
}

/** CPU seconds (user + system) of /proc/<pid>/stat: a process, 'self', or '<pid>/task/<tid>' (one thread). */
export function procCpuSeconds(pid: number | string): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return undefined;
  }
}

/** socket inode → local TCP port (-1: not a TCP socket), of this process's sockets seen so far */
const portOf = new Map<string, number>();

/**
 * This process's local TCP ports. /proc/net/tcp is slow to generate on a busy machine (tens of ms),
 * so it is read only when a socket appears that is not known yet.
 */
function ownLocalPorts(): number[] {
  const inodes: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m) inodes.push(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  if (inodes.some((i) => !portOf.has(i))) {
    const wanted = new Set(inodes);
    for (const file of ['/proc/self/net/tcp', '/proc/self/net/tcp6']) {
      let text = '';
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      for (const line of text.split('\n').slice(1)) {
        const f = line.trim().split(/\s+/);
        if (f.length > 9 && wanted.has(f[9])) portOf.set(f[9], parseInt(f[1].split(':')[1], 16));
      }
    }
    // not TCP (the IPC channel, a Unix socket): not looked up again
    for (const i of inodes) if (!portOf.has(i)) portOf.set(i, -1);
  }
  return inodes.flatMap((i) => {
    const port = portOf.get(i) ?? -1;
    return port > 0 ? [port] : [];
  });
}
