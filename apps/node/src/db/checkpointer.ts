/**
 * WAL checkpoints off the main thread, on demand: a worker thread with its own connection copies the
 * log into the database file (with its fsync), so a commit on the main thread never waits for one.
 * The thread (an isolate and a SQLite connection, ~15 MB) runs only while the node writes: it starts
 * once the log has grown past a few MB and stops a quiet minute after the last write, so an idle node holds none.
 * It must never block a writer (PASSIVE checkpoints only) nor lose a write: a log it has not copied
 * stays in the WAL, read by every connection, and the main thread's own autocheckpoint is the backstop.
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.module);
const db = new SQLite(workerData.location, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ checkpointed: result ? result.checkpointed : 0 });
  } catch (error) {
    parentPort.postMessage({ error: String((error && error.message) || error) });
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface CheckpointerOptions {
  /** The log's size (bytes) from which the thread is started; smaller logs wait (default 4 MB). */
  startAtBytes?: number;
  /** Milliseconds without a write after which the thread stops (default a minute). */
  idleMs?: number;
  /**
   * Milliseconds between the thread's checkpoints (default 1 s). Each copies every page written since
   * the last one and syncs the file: a page rewritten by many commits in between is copied once.
   */
  intervalMs?: number;
  onError?: (error: Error) => void;
}

export class Checkpointer {
  /** Checkpoints that copied pages, over every run of the thread (tests, metrics). */
  count = 0;
  private worker: Worker | null = null;
  /** The latest write or thread start: the thread stops idleMs after it, once a pass has followed the write. */
  private lastActivity = 0;
  /** A pass of the thread has run since the latest write: the log that write made was looked at. */
  private passedSinceWrite = false;
  private looking: NodeJS.Timeout | null = null;
  private idleCheck: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly startAtBytes: number;
  private readonly idleMs: number;
  private readonly intervalMs: number;

  constructor(
    private readonly location: string,
    private readonly options: CheckpointerOptions = {},
  ) {
    this.startAtBytes = options.startAtBytes ?? 4 * 1024 * 1024;
    this.idleMs = options.idleMs ?? 60_000;
    this.intervalMs = options.intervalMs ?? 1000;
  }

  get running(): boolean {
    return this.worker !== null;
  }

  /**
   * Called for every statement that may write: cheap (a time and a flag), since it runs per query. The
   * log's size is looked at once, shortly after, off the query's path.
   */
  wrote(): void {
    this.lastActivity = performance.now();
    this.passedSinceWrite = false;
    if (this.worker || this.looking || this.closed) return;
    this.looking = setTimeout(() => {
      this.looking = null;
      if (!this.worker && !this.closed && this.walBytes() >= this.startAtBytes) this.start();
    }, 500);
    this.looking.unref();
  }

  async stop(): Promise<void> {
    this.closed = true;
    if (this.looking) clearTimeout(this.looking);
    await this.stopWorker();
  }

  private walBytes(): number {
    try {
      return statSync(`${this.location}-wal`).size;
    } catch {
      return 0;
    }
  }

  private start(): void {
    const worker = new Worker(CHECKPOINTER, {
      eval: true,
      workerData: {
        module: createRequire(import.meta.url).resolve('better-sqlite3'),
        location: this.location,
        intervalMs: this.intervalMs,
      },
    });
    worker.unref();
    worker.on('message', (m: { error?: string; checkpointed?: number }) => {
      if (m.error) this.options.onError?.(new Error(`WAL checkpoint: ${m.error}`));
      else {
        this.passedSinceWrite = true;
        if ((m.checkpointed ?? 0) > 0) this.count += 1;
      }
    });
    worker.on('error', (error) => this.options.onError?.(error));
    worker.once('exit', () => {
      if (this.worker === worker) this.worker = null;
    });
    this.worker = worker;
    this.lastActivity = performance.now();
    this.idleCheck = setInterval(
      () => {
        if (this.passedSinceWrite && performance.now() - this.lastActivity > this.idleMs) void this.stopWorker();
      },
      Math.max(50, this.idleMs / 4),
    );
    this.idleCheck.unref();
  }

  private async stopWorker(): Promise<void> {
    if (this.idleCheck) clearInterval(this.idleCheck);
    this.idleCheck = null;
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    // Referenced again while it finishes its last checkpoint, so the process waits for it.
    worker.ref();
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage('stop');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 2000)))]);
    clearTimeout(timer);
    await worker.terminate();
  }
}
