#!/usr/bin/env node
// Bin entry of the exchange connector: runs the compiled entry point in dist/, built first when stale.
import { run } from '../tools/run.mjs';

await run('apps/exchange-connector.main');
