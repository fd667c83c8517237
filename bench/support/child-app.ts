import { spawn, type ChildProcess } from 'node:child_process';

/** A built app (dist/.../main.js) run as a child process: its own event loop and CPU, its log kept for errors. */
export interface ChildApp {
  readonly name: string;
  readonly pid: number;
  /** the last lines it wrote (stdout and stderr) */
  tail(n?: number): string;
  /** SIGTERM (the apps finish the batch in hand), SIGKILL after `graceMs`. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const KEEP_LINES = 200;
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts `main` with `env` over this process's environment and waits until a line it writes passes
 * `ready` (pino JSON lines are parsed; others are given as { msg: line }).
 */
export async function startChildApp(
  name: string,
  main: string,
  env: Record<string, string>,
  ready: (entry: Record<string, unknown>) => boolean,
  readyTimeoutMs = 90_000,
): Promise<ChildApp> {
  const child = spawn(process.execPath, [main], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const lines: string[] = [];
  let isReady = false;
  let onReady: (() => void) | undefined;
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      lines.push(line);
      if (lines.length > KEEP_LINES) lines.shift();
      if (isReady) continue;
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        entry = { msg: line };
      }
      if (ready(entry)) {
        isReady = true;
        onReady?.();
      }
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      running.delete(child);
      resolve();
      onReady?.();
    }),
  );
  const tail = (n = 30) => lines.slice(-n).join('\n');
  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 20_000) =>
    (stopping ??= (async () => {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    })());

  await new Promise<void>((resolve) => {
    onReady = resolve;
    if (isReady) resolve();
    setTimeout(resolve, readyTimeoutMs).unref();
  });
  if (exited) throw new Error(`${name} exited during start (code ${exited.code}, signal ${exited.signal}):\n${tail()}`);
  if (!isReady) {
    await stop();
    throw new Error(`${name} was not ready within ${readyTimeoutMs} ms:\n${tail()}`);
  }
  if (child.pid === undefined) throw new Error(`${name} has no pid`);
  return { name, pid: child.pid, tail, stop };
}
