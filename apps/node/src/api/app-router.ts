/** The node's whole tRPC API. The console imports only the type. */
import { bureauRouter, sessionRouter } from './routers/bureau/index.js';
import { federationRouter } from './routers/federation.js';
import { liaisonRouter } from './routers/liaison.js';
import { router } from './trpc.js';

export const appRouter = router({
  federation: federationRouter,
  session: sessionRouter,
  bureau: bureauRouter,
  liaison: liaisonRouter,
});

export type AppRouter = typeof appRouter;
