// Runs an app's main.ts as a child process (ts-node, path aliases), the way an operator runs it, so a
// test can SIGKILL it mid-flight and start it again.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

export class AppProcess {
  readonly lines: string[] = [];
  private child: ChildProcess | undefined;
  private exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;

  constructor(
    readonly name: string,
    private readonly main: string,
    private readonly env: Record<string, string>,
  ) {}

  start(): void {
    if (this.child) throw new Error(`${this.name} already running`);
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', this.main], {
      cwd: ROOT,
      env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'), ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const collect = (chunk: Buffer) => {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim() !== '') this.lines.push(l);
      if (this.lines.length > 5000) this.lines.splice(0, this.lines.length - 5000);
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Sends the signal and waits for the process to end. */
  async kill(signal: NodeJS.Signals, timeoutMs = 30_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const child = this.child;
    if (!child || !this.exited) throw new Error(`${this.name} is not running`);
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${this.name} did not exit within ${timeoutMs} ms of ${signal}`)), timeoutMs)));
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
      this.child = undefined;
    }
  }

  /** For afterAll: make sure nothing is left behind. */
  async ensureStopped(): Promise<void> {
    if (this.child) await this.kill('SIGKILL').catch(() => undefined);
  }

  /** pino lines (JSON) that match; others ignored */
  logs(filter: (entry: Record<string, unknown>) => boolean = () => true): Array<Record<string, unknown>> {
    const out: Array<Record<string, unknown>> = [];
    for (const l of this.lines) {
      try {
        const e = JSON.parse(l) as Record<string, unknown>;
        if (filter(e)) out.push(e);
      } catch {
        // not a log line
      }
    }
    return out;
  }

  tail(n = 30): string {
    return this.lines.slice(-n).join('\n');
  }
}
