import type { AuthUser } from '@rejoinder/accounts';
import type { CommittedEvent, Metrics, SessionEventData } from '@rejoinder/common';
import { envelope } from '@rejoinder/realtime';
import type { EventSink } from '@rejoinder/realtime';
import type { Socket } from 'socket.io';
import { PacketType } from 'socket.io-parser';
import * as ws from 'ws';
import { emitSession, state } from './socket-state.js';

// A reader that stops reading must not make the server buffer without end:
// past this mark of events waiting for it (live or replayed), the socket is
// dropped, and the client catches up from the event log when it reconnects.
export const MAX_BUFFERED_BYTES = 1024 * 1024;

// One live event as it goes out: encoded once for every socket it goes to,
// with its websocket frame built once too, as socket.io's room broadcast
// does (engine.io writes `wsPreEncodedFrame` as is on websocket transports;
// long-polling ones use the encoded packet).
interface Outgoing {
  packets: unknown[];
  options: { preEncoded: true; wsPreEncodedFrame?: unknown };
}
const encoded = new WeakMap<CommittedEvent, Outgoing>();
// ws's frame builder (its ES module entry exports it; the default export has it only once
// the CommonJS entry has been loaded).
const { Sender } = ws as unknown as { Sender: { frame(this: void, data: Buffer, options: object): unknown } };

function outgoing(encoder: { encode(packet: object): unknown[] }, nsp: string, event: CommittedEvent): Outgoing {
  const packets = encoder.encode({ type: PacketType.EVENT, nsp, data: [event.type, envelope(event)] });
  const options: Outgoing['options'] = { preEncoded: true };
  if (packets.length === 1 && typeof packets[0] === 'string') {
    // "4": engine.io's message packet.
    options.wsPreEncodedFrame = Sender.frame(Buffer.from(`4${packets[0]}`), {
      readOnly: false,
      mask: false,
      rsv1: false,
      opcode: 1,
      fin: true,
    });
  }
  return { packets, options };
}

// The realtime service's sink for one socket: live events, replays, presence.
export class SocketSink implements EventSink {
  private replaying = false;
  private replayed = false;

  constructor(
    private readonly socket: Socket,
    private readonly metrics: Metrics,
  ) {}

  get id(): string {
    return this.socket.id;
  }

  get viewer(): AuthUser | null {
    return state(this.socket).user;
  }

  // Refused while a catch-up is being read from the log, or while the last
  // one still waits in this socket's buffers.
  beginReplay(): boolean {
    if (this.replayed && this.queuedBytes() === 0) this.replayed = false;
    if (this.replaying || this.replayed) return false;
    this.replaying = true;
    return true;
  }

  endReplay(): void {
    this.replaying = false;
    this.replayed = this.queuedBytes() > 0;
  }

  // Live events and replays alike count toward the slow-reader mark.
  send(event: CommittedEvent): void {
    if (this.overloaded()) {
      this.metrics.eventsDropped.inc();
      this.socket.disconnect(true);
      return;
    }
    // One event goes to many sockets: encoded once, its frame built once.
    const client = this.socket.client as unknown as {
      encoder: { encode(packet: object): unknown[] };
      _packet(packets: unknown[], opts: Outgoing['options']): void;
    };
    let out = encoded.get(event);
    if (!out) {
      out = outgoing(client.encoder, this.socket.nsp.name, event);
      encoded.set(event, out);
      // First live send of this event on this node: how long since it committed.
      if (!this.replaying) this.metrics.deliveryLag.observe((Date.now() - Date.parse(event.at)) / 1000);
    }
    client._packet(out.packets, out.options);
    this.metrics.delivered(this.replaying);
  }

  presence(articleId: string, viewers: number, approximate: boolean): void {
    const data: SessionEventData<'presence'> = { articleId, viewers, approximate };
    if (!this.overloaded()) this.socket.volatile.emit('presence', data);
  }

  resync(articleId: string, seq: number): void {
    emitSession(this.socket, 'resync', { articleId, seq });
  }

  // engine.io queues packets while the transport is busy writing (a reader
  // that does not read keeps it busy), and ws keeps what the kernel refused.
  private overloaded(): boolean {
    const conn = this.connection();
    let bytes = conn.transport.socket?.bufferedAmount ?? 0;
    if (bytes > MAX_BUFFERED_BYTES) return true;
    if (conn.writeBuffer.length < 16) return false;
    for (const packet of conn.writeBuffer) {
      bytes += typeof packet.data === 'string' ? packet.data.length : 64;
      if (bytes > MAX_BUFFERED_BYTES) return true;
    }
    return false;
  }

  private queuedBytes(): number {
    const conn = this.connection();
    let bytes = conn.transport.socket?.bufferedAmount ?? 0;
    for (const packet of conn.writeBuffer) bytes += typeof packet.data === 'string' ? packet.data.length : 64;
    return bytes;
  }

  private connection() {
    return this.socket.conn as unknown as {
      writeBuffer: { data?: unknown }[];
      transport: { socket?: { bufferedAmount?: number } };
    };
  }
}
