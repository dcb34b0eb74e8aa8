#!/usr/bin/env node
// Entry point: run the compiled CLI and exit with the code it decides.
import { main } from '../dist/cli.js';

process.exit(await main(process.argv));
