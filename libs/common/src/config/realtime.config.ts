import { z } from 'zod';

// The sockets: how nodes share rooms, catch-ups, per-socket limits, presence.
export const realtimeConfig = {
  // How API nodes share socket.io rooms: one node in memory, Redis, or PostgreSQL.
  REALTIME_ADAPTER: z.enum(['memory', 'redis', 'postgres']).optional(),
  REALTIME_BACKLOG_LIMIT: z.coerce.number().int().min(1).max(100_000).default(1000),
  // Recent events each followed article keeps in memory for catch-ups.
  REALTIME_TAIL_EVENTS: z.coerce.number().int().min(0).max(10_000).default(256),
  SOCKET_EVENTS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(100),
  // Open socket.io connections one client address may hold (readers behind
  // one office or carrier address share it).
  SOCKET_CONNECTIONS_PER_IP: z.coerce.number().int().min(1).max(1_000_000).default(50),
  PRESENCE_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000).default(1000),
};
