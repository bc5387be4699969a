// The identity of an effective training config: SHA-256 of its canonical JSON (keys sorted at every level).
// Ranks refuse to form a group with a rank of another config (worker/collective rendezvous), and a checkpoint
// records it so that a resumed run never continues another config's weights. Formatting, key order and
// comments of the YAML it came from do not change it; any value does.
import { createHash } from 'node:crypto';
import type { TrainingConfig } from './training-config-schema.js';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

export function configDigest(config: TrainingConfig): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(config)))
    .digest('hex');
}
