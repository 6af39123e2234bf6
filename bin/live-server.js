#!/usr/bin/env node
// Bin entry of the live-server: runs the TypeScript sources through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../apps/live-server.main.ts');
