import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

// A value read when Prometheus scrapes: one number, or one per label value.
type Sample = () => number | Record<string, number> | Promise<number | Record<string, number>>;
export type SampleName = 'sockets' | 'subscriptions' | 'db_pool' | 'moderation_queue' | 'mail_queued' | 'mail_oldest';

const SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

// The service's Prometheus metrics (prom-client), one registry per
// application. Counters and histograms are updated where things happen;
// gauges that describe state (sockets, subscriptions, pool, queue) are read
// at scrape time from the part that owns the state, through sample().
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  private readonly samples = new Map<string, Sample>();

  readonly httpDuration = new Histogram({
    name: 'rejoinder_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status, with their duration',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });

  // Delivery is the hottest path (one count per event and socket): counted
  // as plain numbers there, added to the counter when it is read.
  private readonly deliveries = { live: 0, replay: 0 };

  readonly eventsDelivered = new Counter({
    name: 'rejoinder_realtime_events_delivered_total',
    help: 'Events sent to sockets: live, or replayed to a reader catching up',
    labelNames: ['mode'] as const,
    registers: [this.registry],
    collect: () => {
      for (const mode of ['live', 'replay'] as const) {
        if (this.deliveries[mode] > 0) this.eventsDelivered.inc({ mode }, this.deliveries[mode]);
        this.deliveries[mode] = 0;
      }
    },
  });

  delivered(replay: boolean): void {
    if (replay) this.deliveries.replay++;
    else this.deliveries.live++;
  }

  readonly eventsDropped = new Counter({
    name: 'rejoinder_realtime_events_dropped_total',
    help: 'Events not sent because the socket was dropped as a slow reader (it catches up on reconnect)',
    registers: [this.registry],
  });

  readonly deliveryLag = new Histogram({
    name: 'rejoinder_realtime_delivery_lag_seconds',
    help: 'From the commit of an event to its first send on this node',
    buckets: SECONDS,
    registers: [this.registry],
  });

  readonly replays = new Counter({
    name: 'rejoinder_realtime_catchup_replays_total',
    help: 'Subscriptions that replayed missed events (subscribe with `after`)',
    registers: [this.registry],
  });

  readonly tailReplays = new Counter({
    name: 'rejoinder_realtime_tail_replays_total',
    help: "Catch-ups served from the article stream's recent events in memory instead of the event table",
    registers: [this.registry],
  });

  readonly resyncs = new Counter({
    name: 'rejoinder_realtime_resyncs_total',
    help: 'Subscriptions told to reload instead of replaying (too far behind, or a seq from another database)',
    registers: [this.registry],
  });

  readonly rateLimitRefusals = new Counter({
    name: 'rejoinder_rate_limit_refusals_total',
    help: 'Requests and socket events refused by a rate limit, by limit',
    labelNames: ['limit'] as const,
    registers: [this.registry],
  });

  readonly slowModeSwitches = new Counter({
    name: 'rejoinder_slow_mode_switches_total',
    help: 'Automatic slow mode turned on or lifted by this node, by action',
    labelNames: ['action'] as const,
    registers: [this.registry],
  });

  // Mail handed to the SMTP server (or written as a file), by kind; and
  // messages that could not be sent, by outcome (retry, undeliverable, given_up).
  readonly mailSent = new Counter({
    name: 'rejoinder_mail_sent_total',
    help: 'Messages sent, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly mailFailed = new Counter({
    name: 'rejoinder_mail_failed_total',
    help: 'Messages that could not be sent, by outcome (retry, undeliverable, given_up)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'rejoinder_' });
    this.sampled('sockets', 'rejoinder_sockets_open', 'Socket.io connections open on this node');
    this.sampled('subscriptions', 'rejoinder_realtime_subscriptions', 'Article and feed subscriptions on this node');
    this.sampled('db_pool', 'rejoinder_db_pool_connections', 'Database pool connections by state', 'state');
    this.sampled('moderation_queue', 'rejoinder_moderation_queue_depth', 'Comments waiting for a moderator', 'queue');
    this.sampled('mail_queued', 'rejoinder_mail_queued', 'Mail owed and not yet sent (all nodes)');
    this.sampled('mail_oldest', 'rejoinder_mail_oldest_queued_seconds', 'Age of the oldest mail not yet sent');
  }

  // Names where a gauge reads its value at scrape time; the last one wins.
  sample(name: SampleName, read: Sample): void {
    this.samples.set(name, read);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private sampled(key: SampleName, name: string, help: string, label?: string): void {
    const samples = this.samples;
    new Gauge({
      name,
      help,
      labelNames: label ? [label] : [],
      registers: [this.registry],
      async collect() {
        const read = samples.get(key);
        if (!read) return;
        const value = await read();
        this.reset();
        if (typeof value === 'number') this.set(value);
        else for (const [labelValue, n] of Object.entries(value)) this.set({ [label!]: labelValue }, n);
      },
    });
  }
}
