#!/usr/bin/env node
// The firstlight CLI. Runs the bundle in dist/ (`pnpm --filter @firstlight/node build`) when it is
// newer than every source file it was built from; otherwise the TypeScript sources through tsx's
// loader, so an edit is never hidden behind a stale build. FIRSTLIGHT_FROM_SOURCE=1 forces the sources.
import { bundleIsFresh } from '../scripts/bundle.mjs';

if (process.env.FIRSTLIGHT_FROM_SOURCE !== '1' && bundleIsFresh()) {
  await import('../dist/cli/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
