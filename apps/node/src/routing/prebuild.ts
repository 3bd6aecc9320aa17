/**
 * Builds the routing index from the installed data set and writes it beside the bundle
 * (dist/routing/steps.bin), where a bundled node reads it (ip-index.ts BUNDLED_STEPS). Run by
 * scripts/bundle.mjs after each bundle build.
 */
import { buildSteps } from './ip-index.js';
import { dataSetStamp, writeStepsFile } from './steps-file.js';

export function prebuildSteps(path: string): { v4Steps: number; v6Steps: number; ms: number } {
  const started = performance.now();
  const stamp = dataSetStamp();
  const steps = buildSteps();
  writeStepsFile(path, steps, stamp);
  return { v4Steps: steps.v4.count, v6Steps: steps.v6.count, ms: performance.now() - started };
}
