#!/usr/bin/env node
import './check-node.js';
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
