import proxyAddr from '@fastify/proxy-addr';
import type { AppConfig } from '@rejoinder/common';
import type { IncomingMessage } from 'node:http';

export type ProxyTrust = (address: string, hop: number) => boolean;

// TRUST_PROXY as the function Fastify and proxy-addr use: trust this many
// hops nearest the server, or only these proxies. One definition for HTTP
// (request.ip) and sockets, so both see the same client address.
export function proxyTrust(setting: AppConfig['TRUST_PROXY']): ProxyTrust | false {
  if (setting === false) return false;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return proxyAddr.compile(setting);
}

export function clientAddress(request: IncomingMessage, trust: ProxyTrust | false): string {
  return trust ? proxyAddr(request, trust) : (request.socket.remoteAddress ?? '');
}
