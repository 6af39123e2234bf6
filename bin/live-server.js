#!/usr/bin/env node
// Bin entry of the live-server (dashboard): runs the compiled entry point in dist/, built first when stale.
import { run } from '../tools/run.mjs';

await run('apps/live-server.main');
