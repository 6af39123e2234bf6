/**
 * @module server/live/routes/dashboard.routes
 * The dashboard page from the web directory at `/`, and TradingView Lightweight Charts straight
 * from its npm package at `/vendor/lightweight-charts.mjs`: no CDN and no copy step, so the page
 * works offline and the chart library is always the installed version.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import type { LiveEnv } from '../live.env.js';

/** Where the browser loads the chart library from. */
export const CHART_LIBRARY_PATH = '/vendor/lightweight-charts.mjs';

/** The standalone ES-module build of lightweight-charts (no imports of its own). */
export function chartLibraryFile(): string {
  const manifest = createRequire(import.meta.url).resolve('lightweight-charts/package.json');
  return join(dirname(manifest), 'dist', 'lightweight-charts.standalone.production.mjs');
}

/**
 * The dashboard sub-app; mount it at `/` after every other route.
 * @param webDirectory folder holding index.html, relative to the working directory or absolute
 * @throws {Error} when the folder has no index.html or the chart library is not installed
 */
export function dashboardRoutes(webDirectory: string): Hono<LiveEnv> {
  const root = resolve(webDirectory);
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(`web.directory ${root} has no index.html`);
  }
  const library = chartLibraryFile();
  if (!existsSync(library)) {
    throw new Error(`lightweight-charts is not installed (${library}); run npm install`);
  }
  const app = new Hono<LiveEnv>();
  app.get(
    CHART_LIBRARY_PATH,
    async (c, next) => {
      c.header('Cache-Control', 'public, max-age=86400');
      await next();
    },
    serveStatic({ path: library }),
  );
  app.get(
    '*',
    async (c, next) => {
      // Revalidate every time: a redeployed page must not mix with a cached older script
      c.header('Cache-Control', 'no-cache');
      await next();
    },
    serveStatic({ root }),
  );
  return app;
}
