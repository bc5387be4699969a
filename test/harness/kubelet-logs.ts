import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { ServerResponse } from 'node:http';
import { infraManifest } from './infra.js';

const run = promisify(execFile);

/** Where the pod runner keeps a container's output, and whether that container may still write. */
export interface ContainerLogSource {
  logPath(namespace: string, pod: string, container: string): string | undefined;
  running(namespace: string, pod: string): boolean;
}

/**
 * The kubelet's log endpoint (`GET /containerLogs/{ns}/{pod}/{container}?follow&tailLines`), so that the API
 * server's pods/log proxy — and `kubectl logs`, `baclctl logs -f` — work against pods the runner runs. HTTPS
 * with a throwaway self-signed certificate: kube-apiserver does not verify kubelet serving certificates unless
 * --kubelet-certificate-authority is set, and the harness does not set it.
 */
export async function startKubeletLogServer(
  dir: string,
  source: ContainerLogSource,
): Promise<{ port: number; close(): Promise<void> }> {
  const key = join(dir, 'kubelet.key');
  const cert = join(dir, 'kubelet.crt');
  if (!existsSync(cert)) {
    await run(infraManifest().openssl.bin, [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert,
      '-days', '2', '-subj', '/CN=bacl-test-kubelet', '-addext', 'subjectAltName=IP:127.0.0.1',
    ]); // prettier-ignore
  }
  const open = new Set<ServerResponse>();
  const server: Server = createServer(
    { key: readFileSync(key), cert: readFileSync(cert) },
    (request, response) => {
      const url = new URL(request.url ?? '/', 'https://127.0.0.1');
      const match = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      const path = match ? source.logPath(match[1]!, match[2]!, match[3]!) : undefined;
      if (!match || !path) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end(`no logs for ${url.pathname}\n`);
        return;
      }
      open.add(response);
      response.on('close', () => open.delete(response));
      response.writeHead(200, { 'content-type': 'text/plain' });
      const tail = url.searchParams.get('tailLines');
      void streamLog(path, {
        tailLines: tail === null ? undefined : Number(tail),
        follow: url.searchParams.get('follow') === 'true',
        stillWriting: () => source.running(match[1]!, match[2]!),
        response,
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('kubelet log server has no port');
  return {
    port: address.port,
    close: async () => {
      for (const response of open) response.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function streamLog(
  path: string,
  options: { tailLines?: number; follow: boolean; stillWriting: () => boolean; response: ServerResponse },
): Promise<void> {
  const { response } = options;
  const file = await open(path, 'r');
  try {
    const first = (await file.readFile()).toString('utf8');
    let offset = Buffer.byteLength(first);
    response.write(options.tailLines === undefined ? first : lastLines(first, options.tailLines));
    // Follow: keep sending what the container appends until it has exited and everything was sent.
    while (options.follow && !response.destroyed) {
      const writing = options.stillWriting();
      const { size } = await file.stat();
      if (size > offset) {
        const chunk = Buffer.alloc(size - offset);
        await file.read(chunk, 0, chunk.length, offset);
        offset = size;
        response.write(chunk);
      } else if (!writing) break;
      else await sleep(50);
    }
  } finally {
    await file.close();
    response.end();
  }
}

function lastLines(text: string, count: number): string {
  if (count <= 0) return '';
  const lines = text.split('\n');
  const trailingNewline = lines[lines.length - 1] === '';
  if (trailingNewline) lines.pop();
  return lines.slice(-count).join('\n') + (trailingNewline && lines.length > 0 ? '\n' : '');
}
