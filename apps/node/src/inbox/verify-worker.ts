/** A verification thread: runs VerifyJobs posted by the VerifyPool (verify-pool.ts). */
import { parentPort } from 'node:worker_threads';
import { runJob, trustCache, type VerifyJob } from './verify-job.js';

const trustFor = trustCache();
parentPort?.on('message', (message: { seq: number; job: VerifyJob }) => {
  try {
    const outcome = runJob(message.job, trustFor(message.job.directory));
    parentPort?.postMessage({ seq: message.seq, outcome });
  } catch (error) {
    parentPort?.postMessage({ seq: message.seq, error: error instanceof Error ? error.message : 'worker failure' });
  }
});
