// A lean socket.io client for the live-updates benchmark's subscribers: the
// socket.io v4 protocol (engine.io 4, websocket transport only, the default
// namespace) straight on `ws`, with the parts the subscribers use: connect
// with an auth payload, events in, emit with an acknowledgement, disconnect.
//
// Why: with 10,000 subscribers one core of load generator must read as many
// messages as the server's core writes. socket.io-client spends more CPU per
// message than the server spends per delivery (its decoder walks every payload
// for binary parts, its emitters and timers come per socket), so it measured
// itself. This client decodes each message once (JSON.parse of the whole
// packet, as socket.io-client does) and nothing more. Both servers of a run
// are read by the same client; BENCH_CLIENT=socket.io-client uses the real one.
import WebSocket from 'ws';

// engine.io packet types (first character of a websocket message).
const EIO_OPEN = '0';
const EIO_CLOSE = '1';
const EIO_PING = '2';
const EIO_MESSAGE = '4';
// socket.io packet types (second character of an engine.io message).
const SIO_CONNECT = '0';
const SIO_DISCONNECT = '1';
const SIO_EVENT = '2';
const SIO_ACK = '3';
const SIO_CONNECT_ERROR = '4';

export class WireSocket {
  /** @param {string} url http://host:port @param {{ auth?: object, timeoutMs?: number }} options */
  constructor(url, { auth = {}, timeoutMs = 20_000 } = {}) {
    this.connected = false;
    this.closing = false;
    this.handlers = new Map();
    this.acks = new Map();
    this.nextAck = 0;
    this.auth = auth;
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, {
      perMessageDeflate: false,
    });
    this.ws = ws;
    this.ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error('timeout')), timeoutMs);
      const fail = (error) => {
        clearTimeout(timer);
        this.connectError = null;
        reject(error);
        this.close();
      };
      this.connectError = fail;
      this.connectDone = () => {
        clearTimeout(timer);
        this.connectError = null;
        resolve(this);
      };
    });
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.onMessage(data.toString());
    });
    ws.on('error', (error) => this.connectError?.(error));
    ws.on('close', () => {
      this.connectError?.(new Error('closed during the handshake'));
      this.lost('transport close');
    });
  }

  onMessage(text) {
    switch (text[0]) {
      case EIO_OPEN:
        this.ws.send(`${EIO_MESSAGE}${SIO_CONNECT}${JSON.stringify(this.auth)}`);
        return;
      case EIO_PING:
        this.ws.send('3');
        return;
      case EIO_CLOSE:
        this.lost('transport close');
        return;
      case EIO_MESSAGE:
        break;
      default:
        return;
    }
    switch (text[1]) {
      case SIO_EVENT: {
        // 42["name",payload] (events from a server carry no ack id)
        const [name, ...args] = JSON.parse(text.slice(this.afterId(text)));
        this.handlers.get(name)?.(...args);
        return;
      }
      case SIO_ACK: {
        const start = this.afterId(text);
        const id = Number(text.slice(2, start));
        const ack = this.acks.get(id);
        if (!ack) return;
        this.acks.delete(id);
        clearTimeout(ack.timer);
        ack.resolve(JSON.parse(text.slice(start))[0]);
        return;
      }
      case SIO_CONNECT:
        this.connected = true;
        this.connectDone();
        return;
      case SIO_CONNECT_ERROR: {
        const body = JSON.parse(text.slice(2) || '{}');
        this.connectError?.(Object.assign(new Error(body.message ?? 'connect_error'), { data: body.data }));
        return;
      }
      case SIO_DISCONNECT:
        this.lost('io server disconnect');
        return;
    }
  }

  // Where the JSON starts after an optional numeric ack id (from index 2).
  afterId(text) {
    let i = 2;
    while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
    return i;
  }

  lost(reason) {
    const was = this.connected;
    this.connected = false;
    for (const ack of this.acks.values()) {
      clearTimeout(ack.timer);
      ack.reject(new Error(`disconnected: ${reason}`));
    }
    this.acks.clear();
    if (was && !this.closing) this.handlers.get('disconnect')?.(reason);
    if (this.ws.readyState === WebSocket.OPEN) this.ws.terminate();
  }

  on(event, handler) {
    this.handlers.set(event, handler);
    return this;
  }

  emitWithAck(event, data, timeoutMs) {
    const id = this.nextAck++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.acks.delete(id);
        reject(new Error('operation has timed out'));
      }, timeoutMs);
      this.acks.set(id, { resolve, reject, timer });
      this.ws.send(`${EIO_MESSAGE}${SIO_EVENT}${id}${JSON.stringify([event, data])}`);
    });
  }

  // A client-side disconnect: the socket.io DISCONNECT packet, then the close.
  close() {
    this.closing = true;
    if (this.ws.readyState === WebSocket.OPEN) {
      if (this.connected) this.ws.send(`${EIO_MESSAGE}${SIO_DISCONNECT}`);
      this.ws.close();
    } else if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    this.lost('io client disconnect');
  }
}
