import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LoadOutcome, LoadSpec } from './http-load.worker';

export type { LoadOutcome, LoadSpec, LoadTarget } from './http-load.worker';

const WORKER_FILE = join(__dirname, 'http-load.worker.ts');

/**
 * The worker thread loads its TypeScript file through swc (a require hook, as bench:projections'
 * measuring child does): ts-node does not reach into worker threads, and the file needs nothing else.
 */
const BOOTSTRAP = `
  const swc = require('@swc/core');
  const fs = require('fs');
  require.extensions['.ts'] = (m, file) => m._compile(swc.transformSync(fs.readFileSync(file, 'utf8'), {
    filename: file, module: { type: 'commonjs' }, jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
  }).code, file);
  require(${JSON.stringify(WORKER_FILE)});`;

/** The HTTP load generator, on a thread of its own beside the query API on the main thread. */
export class HttpLoad {
  private readonly worker = new Worker(BOOTSTRAP, { eval: true });
  private busy = false;

  /** Runs one endpoint's load; one at a time. */
  run(spec: LoadSpec): Promise<LoadOutcome> {
    if (this.busy) throw new Error('HttpLoad runs one load at a time');
    this.busy = true;
    return new Promise<LoadOutcome>((resolve, reject) => {
      const onMessage = (m: { outcome?: LoadOutcome; error?: string }) => {
        cleanup();
        if (m.outcome) resolve(m.outcome);
        else reject(new Error(`load generator: ${m.error}`));
      };
      const onError = (err: Error) => {
        cleanup();
        reject(err);
      };
      const cleanup = () => {
        this.busy = false;
        this.worker.off('message', onMessage);
        this.worker.off('error', onError);
      };
      this.worker.on('message', onMessage);
      this.worker.on('error', onError);
      this.worker.postMessage(spec);
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
