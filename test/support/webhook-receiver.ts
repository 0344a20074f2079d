import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedDelivery {
  id: string;
  timestamp: string;
  signature: string;
  body: any;
  raw: string;
}

// A webhook endpoint on 127.0.0.1 that checks every delivery's signature with
// the standardwebhooks package (refusing, with 401, one that does not verify)
// and answers with `status()` (a receiver that is down answers 503).
export interface Receiver {
  url: string;
  secrets: string[];
  accepted: ReceivedDelivery[];
  attempts: ReceivedDelivery[];
  refused: number;
  // Set: deliveries about other articles (other tests share the database) are
  // answered 200 and not recorded.
  only?: string;
  status: () => number;
  // Held: each delivery is taken (and counted) but not answered until
  // release(), so the sender's batch stays in flight.
  hold(): void;
  release(): void;
  heldCount: number;
  waitFor(predicate: (accepted: ReceivedDelivery[]) => boolean, timeoutMs?: number): Promise<ReceivedDelivery[]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = {
    url: '',
    secrets: [],
    accepted: [],
    attempts: [],
    refused: 0,
    status: () => 200,
    heldCount: 0,
    hold: () => {
      held = [];
    },
    release: () => {
      const waiting = held ?? [];
      held = null;
      for (const answer of waiting) answer();
    },
    waitFor: async (predicate, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(receiver.accepted)) {
        if (Date.now() > deadline)
          throw new Error(`deliveries not as expected: ${JSON.stringify(receiver.accepted.map((d) => d.body.type))}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return receiver.accepted;
    },
    close: () => {
      receiver.release();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  let held: (() => void)[] | null = null;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const verified = receiver.secrets.some((secret) => {
        try {
          new Webhook(secret).verify(raw, headers);
          return true;
        } catch {
          return false;
        }
      });
      if (!verified) {
        receiver.refused += 1;
        res.statusCode = 401;
        res.end('bad signature');
        return;
      }
      const delivery = {
        id: headers['webhook-id'],
        timestamp: headers['webhook-timestamp'],
        signature: headers['webhook-signature'],
        body: JSON.parse(raw),
        raw,
      };
      if (receiver.only && delivery.body.data?.articleId !== receiver.only) {
        res.statusCode = 200;
        res.end('ok');
        return;
      }
      receiver.attempts.push(delivery);
      const status = receiver.status();
      if (status >= 200 && status < 300) receiver.accepted.push(delivery);
      const answer = () => {
        res.statusCode = status;
        res.end(status < 300 ? 'ok' : 'down for maintenance '.repeat(200));
      };
      if (held) {
        held.push(answer);
        receiver.heldCount += 1;
      } else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return receiver;
}
