/**
 * An open-loop load: command i is due at start + i / rate whatever happened to the ones before, so a
 * slow answer cannot hold the next commands back and hide its own cost (coordinated omission). Each
 * command's latency is measured from when it was due, not from when it went out: when more than
 * `maxInFlight` are unanswered the next ones wait, and that wait counts.
 */
export interface OpenLoopOptions<C> {
  rate: number;
  seconds: number;
  maxInFlight: number;
  next(): C;
  send(command: C): Promise<number>;
  /** called with each answer (status 0: no answer, a network error) */
  onAnswer(command: C, a: { status: number; dueAt: number; sentAt: number; answeredAt: number }): void;
}

export interface OpenLoopResult {
  /** from the first command's due time to the last answer */
  seconds: number;
  /** scheduled, i.e. rate x seconds */
  due: number;
  answered: number;
  /** the largest number of commands waiting for a free slot at once */
  maxBacklog: number;
  /** how late, at worst, commands went out after they were due (ms) */
  maxSendDelayMs: number;
}

const now = () => performance.now();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function runOpenLoop<C>(o: OpenLoopOptions<C>): Promise<OpenLoopResult> {
  const total = Math.max(1, Math.round(o.rate * o.seconds));
  const interval = 1000 / o.rate;
  const start = now() + 5;
  let inFlight = 0;
  let answered = 0;
  let maxBacklog = 0;
  let maxSendDelayMs = 0;
  const backlog: Array<{ command: C; dueAt: number }> = [];
  let allAnswered: (() => void) | undefined;

  const launch = (command: C, dueAt: number) => {
    inFlight++;
    const sentAt = now();
    maxSendDelayMs = Math.max(maxSendDelayMs, sentAt - dueAt);
    void o.send(command).then(
      (status) => done(command, status, dueAt, sentAt),
      () => done(command, 0, dueAt, sentAt),
    );
  };
  const done = (command: C, status: number, dueAt: number, sentAt: number) => {
    inFlight--;
    answered++;
    o.onAnswer(command, { status, dueAt, sentAt, answeredAt: now() });
    const waiting = backlog.shift();
    if (waiting) launch(waiting.command, waiting.dueAt);
    if (answered === total) allAnswered?.();
  };

  for (let i = 0; i < total; ) {
    const t = now();
    for (; i < total && start + i * interval <= t; i++) {
      const dueAt = start + i * interval;
      const command = o.next();
      if (inFlight < o.maxInFlight) launch(command, dueAt);
      else {
        backlog.push({ command, dueAt });
        maxBacklog = Math.max(maxBacklog, backlog.length);
      }
    }
    if (i < total) await sleep(Math.max(0, start + i * interval - now()));
  }
  if (answered < total) await new Promise<void>((resolve) => (allAnswered = resolve));
  return { seconds: (now() - start) / 1000, due: total, answered, maxBacklog, maxSendDelayMs };
}
