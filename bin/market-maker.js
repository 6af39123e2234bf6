#!/usr/bin/env node
// Bin entry of the market-maker engine: runs the TypeScript sources through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../apps/market-maker.main.ts');
