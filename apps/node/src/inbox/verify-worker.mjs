// Worker threads do not inherit the tsx loader the node runs under: register it, then run the worker.
import { register } from 'tsx/esm/api';

register();
await import('./verify-worker.ts');
