#!/usr/bin/env node
// Bin entry of the exchange-connector: runs the TypeScript sources through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../apps/exchange-connector.main.ts');
