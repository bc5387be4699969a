#!/usr/bin/env -S node --import tsx --disable-warning=ExperimentalWarning
// Runs baclctl from the TypeScript sources (no build step): oclif maps dist/cli/commands to cli/commands when
// NODE_ENV is development. Unlike execute({ development: true }) this keeps errors as users see them; set
// DEBUG=* for stacks.
import './check-node.js';
import { flush, handle, run, settings } from '@oclif/core';

process.env.NODE_ENV ??= 'development';
settings.enableAutoTranspile = true;
await run(process.argv.slice(2), import.meta.url)
  .catch(async (error) => handle(error))
  .finally(async () => flush());
