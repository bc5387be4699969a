// Where bacl keeps what it can rebuild (synthetic datasets and their shards, pretrained weights, the native
// TensorFlow build, test servers): $BACL_CACHE_DIR, else ~/.cache/bacl. The scripts (scripts/*.sh) read the same
// variable, so one setting moves every cache.
import { homedir } from 'node:os';
import { join } from 'node:path';

export const cacheDirEnvVar = 'BACL_CACHE_DIR';

export function baclCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env[cacheDirEnvVar];
  return configured !== undefined && configured !== '' ? configured : join(homedir(), '.cache', 'bacl');
}
