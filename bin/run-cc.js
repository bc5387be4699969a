#!/usr/bin/env node
import './check-node.js';
import { enableCompileCache } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';

// V8's compile cache for the CLI's modules (Node >= 22.1): start-up is mostly parsing and compiling the
// commands' dependencies, about a sixth of it saved from the second run on. Kept with bacl's other caches
// (common/cache-dir.ts: $BACL_CACHE_DIR, else ~/.cache/bacl); a stale entry is detected and recompiled by Node.
const cacheDir = process.env.BACL_CACHE_DIR || join(homedir(), '.cache', 'bacl');
enableCompileCache?.(join(cacheDir, 'node-compile-cache'));

const { execute } = await import('@oclif/core');
await execute({ dir: import.meta.url });
