/**
 * Files the CLI finds next to itself. This module sits in src/cli/, as deep as the bundle's
 * dist/cli/main.js it is bundled into, so the same relative URLs hold from the sources and the bundle;
 * it must not move to another depth.
 */
import { fileURLToPath } from 'node:url';

/** The console built in this repository (apps/console/dist). */
export const CONSOLE_DIST = fileURLToPath(new URL('../../../console/dist', import.meta.url));

/** apps/node/package.json: the version `firstlight --version` prints. */
export const PACKAGE_JSON = fileURLToPath(new URL('../../package.json', import.meta.url));
