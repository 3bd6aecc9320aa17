#!/usr/bin/env node
// `pnpm --filter @firstlight/node build`: bundles the node into dist/ (see scripts/bundle.mjs).
import { buildBundle } from './bundle.mjs';

await buildBundle();
