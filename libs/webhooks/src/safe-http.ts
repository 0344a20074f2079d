import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';
import type { LookupFunction } from 'node:net';

// Outbound requests to addresses the newsroom gave us (webhook endpoints),
// safe against server-side request forgery: https only, and the name is
// resolved, every address checked, and the connection made to the checked
// address in one step (the socket's own lookup), so a DNS answer that changes
// between the check and the connection (rebinding) cannot reach inside.

export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    ),
  );

// Loopback, private, link-local (the cloud metadata address 169.254.169.254
// among them), carrier-grade NAT, unspecified, multicast and reserved ranges.
const refused = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  refused.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['fd00:ec2::254', 128],
] as const)
  refused.addSubnet(net, bits, 'ipv6');

export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  // IPv4 written as IPv6 (::ffff:127.0.0.1) is checked as IPv4.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return !refused.check(mapped[1], 'ipv4');
  return !refused.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export class RefusedDestination extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedDestination';
  }
}

export interface SafeHttpOptions {
  allowPrivate: boolean;
  resolver?: Resolver;
  timeoutMs?: number;
  // Bytes of the answer kept.
  keepBytes?: number;
}

export interface OutboundResponse {
  status: number;
  body: string;
}

export class SafeHttp {
  private readonly resolver: Resolver;

  // Connections are kept and reused (a TLS handshake per delivery would
  // cost more than the delivery): each was opened to an address checked
  // when it was opened, so reuse passes no check by.
  private readonly agents = {
    'http:': new http.Agent({ keepAlive: true, timeout: 30_000 }),
    'https:': new https.Agent({ keepAlive: true, timeout: 30_000 }),
  };

  constructor(private readonly options: SafeHttpOptions) {
    this.resolver = options.resolver ?? systemResolver;
  }

  // The URL's first public address, or RefusedDestination.
  async check(raw: string): Promise<string> {
    const url = this.parse(raw);
    return this.address(url.hostname);
  }

  // POSTs a body; redirects are answers, never followed.
  async post(raw: string, headers: Record<string, string>, body: string): Promise<OutboundResponse> {
    const url = this.parse(raw);
    const lookup: LookupFunction = (hostname, options, callback) => {
      this.address(hostname).then(
        (address) => {
          const family = isIP(address);
          if ((options as { all?: boolean }).all) callback(null, [{ address, family }]);
          else callback(null, address, family);
        },
        (error: Error) => callback(error as NodeJS.ErrnoException, '', 0),
      );
    };
    const client = url.protocol === 'https:' ? https : http;
    const timeout = this.options.timeoutMs ?? 10_000;
    const keep = this.options.keepBytes ?? 1024;
    return new Promise<OutboundResponse>((resolve, reject) => {
      const request = client.request(
        url,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': Buffer.byteLength(body).toString() },
          lookup,
          timeout,
          agent: this.agents[url.protocol === 'https:' ? 'https:' : 'http:'],
        },
        (response) => {
          const chunks: Buffer[] = [];
          let kept = 0;
          response.on('data', (chunk: Buffer) => {
            if (kept >= keep) return;
            chunks.push(chunk.subarray(0, keep - kept));
            kept += Math.min(chunk.length, keep - kept);
            // Enough of the answer: the rest is not read.
            if (kept >= keep) response.destroy();
          });
          const done = () =>
            resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
          response.on('end', done);
          response.on('close', done);
          response.on('error', done);
        },
      );
      // The whole exchange, not only idle time, is bounded.
      const timer = setTimeout(() => request.destroy(new Error(`no answer within ${timeout} ms`)), timeout);
      request.on('timeout', () => request.destroy(new Error(`no answer within ${timeout} ms`)));
      request.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      request.on('close', () => clearTimeout(timer));
      request.end(body);
    });
  }

  // Closes the kept connections.
  close(): void {
    this.agents['http:'].destroy();
    this.agents['https:'].destroy();
  }

  private parse(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new RefusedDestination('not a URL');
    }
    const httpAllowed = this.options.allowPrivate && url.protocol === 'http:';
    if (url.protocol !== 'https:' && !httpAllowed) throw new RefusedDestination('not an https URL');
    if (url.username || url.password) throw new RefusedDestination('credentials in the URL');
    return url;
  }

  private async address(hostname: string): Promise<string> {
    const host = hostname.replace(/^\[|\]$/g, '');
    const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await this.resolver(host);
    if (addresses.length === 0) throw new RefusedDestination(`${host} has no address`);
    if (this.options.allowPrivate) return addresses[0].address;
    // Every address must be public: a name with one private answer could be
    // steered to it by whoever controls its DNS.
    const bad = addresses.find((a) => !isPublicAddress(a.address));
    if (bad) throw new RefusedDestination(`${host} resolves to ${bad.address}, which is not a public address`);
    return addresses[0].address;
  }
}
