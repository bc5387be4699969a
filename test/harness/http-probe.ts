import { request } from 'node:https';
import { request as httpRequest } from 'node:http';

export interface TlsMaterial {
  ca: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/** GETs a URL (http or https with the given TLS material); resolves the status and body, never throws on status. */
export async function httpGet(
  url: string,
  options: { tls?: TlsMaterial; signal?: AbortSignal } = {},
): Promise<{ status: number; body: string }> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? request : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(target, { method: 'GET', ...(options.tls ?? {}), signal: options.signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A readiness probe: true when the URL answers 200. */
export function answers200(url: string, tls?: TlsMaterial): (signal: AbortSignal) => Promise<boolean> {
  return async (signal) => (await httpGet(url, { tls, signal })).status === 200;
}
