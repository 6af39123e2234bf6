#!/usr/bin/env node
// Bin entry of the market-maker engine: runs the compiled entry point in dist/, built first when stale.
import { run } from '../tools/run.mjs';

await run('apps/market-maker.main');
