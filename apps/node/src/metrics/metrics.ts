/** Prometheus metrics for one node (its own registry: several nodes can live in one test process). */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  messages: Counter<'direction' | 'type' | 'outcome'>;
  rejections: Counter<'direction' | 'code'>;
  seals: Counter<'outcome'>;
  outboxDepth: Gauge<'peer'>;
  deliveryLatency: Histogram<'peer'>;
  /** Requests refused because the node could not write to its storage (disk full, I/O error), by cause. */
  storageErrors: Counter<'code'>;
  /** Connections to the federation listener cut off at the TLS handshake (no pinned member key). */
  tlsRefused: Counter;
  /** HTTP requests by listener and path (a known procedure or route; anything else counts as `other`). */
  requests: Counter<'listener' | 'path'>;
}

export interface MetricSources {
  /** Queued messages per peer, read when the metrics are collected (a scrape), never on a timer. */
  outboxDepth?: () => Promise<Array<{ peer: string; depth: number }>>;
}

export function createMetrics(labels: { party: string }, { outboxDepth }: MetricSources = {}): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ party: labels.party });
  return {
    registry,
    messages: new Counter({
      name: 'firstlight_messages_total',
      help: 'Messages by direction, type and outcome',
      labelNames: ['direction', 'type', 'outcome'],
      registers: [registry],
    }),
    rejections: new Counter({
      name: 'firstlight_rejections_total',
      help: 'Rejected messages by error code',
      labelNames: ['direction', 'code'],
      registers: [registry],
    }),
    seals: new Counter({
      name: 'firstlight_seals_total',
      help: 'Delivery seals received: accepted (the seal held; it stands for the envelopes it lists, of its key, not already stored) or refused (each envelope verified on its own)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    outboxDepth: new Gauge({
      name: 'firstlight_outbox_depth',
      help: 'Messages waiting in the outbox per peer',
      labelNames: ['peer'],
      registers: [registry],
      ...(outboxDepth
        ? {
            async collect(this: Gauge<'peer'>) {
              for (const { peer, depth } of await outboxDepth()) this.set({ peer }, depth);
            },
          }
        : {}),
    }),
    storageErrors: new Counter({
      name: 'firstlight_storage_errors_total',
      help: 'Requests refused with ERR_STORAGE because the node could not write to its storage, by cause (SQLITE_FULL, ENOSPC, 53100…)',
      labelNames: ['code'],
      registers: [registry],
    }),
    deliveryLatency: new Histogram({
      name: 'firstlight_delivery_seconds',
      help: 'Time from enqueue to signed receipt, per peer',
      labelNames: ['peer'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600, 3600],
      registers: [registry],
    }),
    tlsRefused: new Counter({
      name: 'firstlight_tls_refused_total',
      help: 'Connections to the federation listener closed at the TLS handshake: the client key is pinned for no member',
      registers: [registry],
    }),
    requests: new Counter({
      name: 'firstlight_http_requests_total',
      help: 'HTTP requests by listener (federation, operator, both) and path: a known tRPC procedure or route, anything else `other`',
      labelNames: ['listener', 'path'],
      registers: [registry],
    }),
  };
}
