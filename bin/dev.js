#!/usr/bin/env -S node --import tsx --disable-warning=ExperimentalWarning
// Runs baclctl from the TypeScript sources (no build step): oclif maps dist/cli/commands to cli/commands when
// NODE_ENV is development. Unlike execute({ development: true }) this keeps errors as users see them; set
// DEBUG=* for stacks.
import './check-node.js';
import { fileURLToPath, URL } from 'node:url';
import { flush, handle, run, settings } from '@oclif/core';

process.env.NODE_ENV ??= 'development';
settings.enableAutoTranspile = true;
// The sources may be newer than the last build's oclif.manifest.json (cli/manifest.ts): never read it here.
await run(process.argv.slice(2), {
  root: fileURLToPath(new URL('..', import.meta.url)),
  ignoreManifest: true,
})
  .catch(async (error) => handle(error))
  .finally(async () => flush());
