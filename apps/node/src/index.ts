/** @firstlight/node as a library: what the simulation, the benchmarks and the conformance suite build on. */
export type { AppRouter } from './api/app-router.js';
export { createToken, LIAISON_ROLES, NATIONAL_ROLES, type Role } from './auth/tokens.js';
export { initNode } from './cli/init.js';
export { SCAM_TYPES } from './intake/complaints.js';
export { addMember, createOperation, publishDirectory, pushDirectory } from './liaison/authority.js';
export { clustersOf } from './liaison/clusters.js';
export { OPERATION_CLOCK_FILE, type OperationClock, operationClockSchema } from './liaison/operation-clock.js';
export { createLogger } from './logging/logger.js';
export { type OpenedNode, openNode, type RunningNode, startNode } from './node.js';
export { type IpIndex, loadIpIndex } from './routing/ip-index.js';
export { sampleIpsFor } from './routing/sample.js';
export { createTlsIdentity } from './tls/certificate.js';
