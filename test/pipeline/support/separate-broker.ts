// A Kafka broker of its own for the broker-restart test, on other ports than the shared test broker,
// so that stopping it cannot disturb any other suite.
//
// scripts/kafka.sh wipes and re-formats the data directory on every `start` (a clean broker per
// test run). A restart that loses the log is not a broker restart, it is a new cluster, so the
// restart here stops the broker with `kafka.sh stop` (a controlled shutdown) and starts the very same
// JVM command line again on the same data: what an operator's restart does.
import { execFile, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const SCRIPT = path.resolve(__dirname, '../../../scripts/kafka.sh');

export class SeparateBroker {
  readonly env: NodeJS.ProcessEnv;
  readonly runDir: string;
  private cmdline: string[] | undefined;

  constructor(readonly port = 19092) {
    this.runDir = `/tmp/lumbung-kafka-${port}`;
    this.env = { ...process.env, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(port + 1), KAFKA_RUN_DIR: this.runDir };
  }

  get brokers(): string[] {
    return [`127.0.0.1:${this.port}`];
  }

  /** Fresh broker (kafka.sh start: formatted storage). */
  async start(): Promise<void> {
    await this.script('start');
    this.cmdline = this.readCmdline();
  }

  /** Controlled shutdown (kafka.sh stop); the data directory stays. */
  stop(): Promise<void> {
    return this.script('stop');
  }

  /** Starts the same broker again on its existing data and waits until it serves. */
  async restart(): Promise<void> {
    if (!this.cmdline) throw new Error('start() first');
    const log = path.join(this.runDir, 'kafka.log');
    const before = readFileSync(log, 'utf8').split('Kafka Server started').length;
    const [cmd, ...args] = this.cmdline;
    // detached: a session of its own, like kafka.sh's setsid; its pid goes into the pid file, so that
    // kafka.sh stop/status keep working on it.
    const out = openSync(log, 'a');
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', out, out] });
    closeSync(out);
    child.unref();
    writeFileSync(path.join(this.runDir, 'kafka.pid'), `${child.pid}\n`);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const now = readFileSync(log, 'utf8').split('Kafka Server started').length;
      if (now > before) return;
      if (Date.now() > deadline) throw new Error(`broker on ${this.port} did not restart in 120 s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  private readCmdline(): string[] {
    const pid = readFileSync(path.join(this.runDir, 'kafka.pid'), 'utf8').trim();
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
    // A first broker may be writing the class-data archive at exit; a restart must not write it again.
    return args.filter((a) => !a.startsWith('-XX:ArchiveClassesAtExit') && !a.startsWith('-Xlog:cds'));
  }

  private script(cmd: string): Promise<void> {
    return new Promise((resolve, reject) => {
      execFile('bash', [SCRIPT, cmd], { env: this.env, maxBuffer: 16 * 1024 * 1024 }, (err, _out, stderr) => {
        if (err) reject(new Error(`kafka.sh ${cmd} (port ${this.port}) failed: ${stderr.trim()}`));
        else resolve();
      });
    });
  }
}
