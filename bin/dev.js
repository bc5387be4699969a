#!/usr/bin/env -S node --import tsx --disable-warning=ExperimentalWarning
// Runs baclctl from the TypeScript sources (no build step); oclif maps dist/cli/commands to cli/commands.
import './check-node.js';
import { execute } from '@oclif/core';

await execute({ development: true, dir: import.meta.url });
