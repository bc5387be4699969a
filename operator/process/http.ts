import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// The operator's two small HTTP endpoints (metrics and health), each on its own address as in
// controller-runtime, so the metrics port can be exposed to Prometheus without exposing the probes.

export type Routes = Record<string, () => { status: number; contentType: string; body: string }>;

export interface HttpEndpoint {
  /** The bound address (the real port when asked for port 0). */
  address: AddressInfo;
  close(): Promise<void>;
}

export async function serve(
  address: { host?: string; port: number },
  routes: Routes,
  signal: AbortSignal,
): Promise<HttpEndpoint> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const route = routes[path];
    if (!route || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const { status, contentType, body } = route();
    response.writeHead(status, { 'content-type': contentType }).end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  signal.addEventListener('abort', () => void close(), { once: true });
  return { address: server.address() as AddressInfo, close };
}
