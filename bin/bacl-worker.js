#!/usr/bin/env node
import './check-node.js';
import { main } from '../dist/worker/index.js';

process.exitCode = await main(process.argv.slice(2));
