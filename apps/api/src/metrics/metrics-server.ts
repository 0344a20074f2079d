import { DomainError, ErrorCode, Metrics, PROBLEM_CONTENT_TYPE, problemFor } from '@rejoinder/common';
import type { AppConfig } from '@rejoinder/common';
import { createServer, Server } from 'node:http';
import { once } from 'node:events';
import { metricsAuthorized } from './metrics.controller.js';

// The admin port (METRICS_PORT): GET /metrics and nothing else, so the
// public port never shows it and a firewall can keep this one internal.
export async function serveMetricsPort(metrics: Metrics, config: AppConfig, port: number): Promise<Server> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://admin').pathname;
    let refusal: DomainError | null = null;
    if (request.method !== 'GET' || path !== '/metrics') refusal = new DomainError(ErrorCode.RouteNotFound);
    else if (!metricsAuthorized(config, request.headers.authorization))
      refusal = new DomainError(ErrorCode.Unauthenticated);
    if (refusal) {
      const problem = problemFor(refusal, path);
      response.writeHead(problem.status, { 'content-type': PROBLEM_CONTENT_TYPE }).end(JSON.stringify(problem));
      return;
    }
    metrics.render().then(
      ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType }).end(body),
      () => response.writeHead(500).end(),
    );
  });
  server.listen(port, config.HOST);
  await once(server, 'listening');
  return server;
}
