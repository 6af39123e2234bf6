# syntax=docker/dockerfile:1
# One image definition for the three OpenSQT processes. Build one service with
#   docker build --target exchange-connector .   (or market-maker, live-server)
# compose.yaml builds each service from its target. The sources are compiled to plain JavaScript
# (dist/, tools/build.mjs) in a build stage; the runtime stage holds production dependencies and
# the compiled code only, so no TypeScript loader runs in production.

# -- dependencies: production only, install scripts off (none is needed at run time: esbuild's
#    platform binary comes as an optional dependency, and ws runs without its native addons)
FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# -- build: the sources compiled to dist/ with esbuild (a production dependency)
FROM deps AS build
COPY package.json ./
COPY tools/build.mjs ./tools/build.mjs
COPY core ./core
COPY machines ./machines
COPY connector ./connector
COPY actors ./actors
COPY server ./server
COPY apps ./apps
COPY proto/gen ./proto/gen
RUN node tools/build.mjs

# -- runtime: compiled code and dependencies, run as the unprivileged `node` user
FROM node:20-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY tools/build.mjs tools/run.mjs ./tools/
COPY bin ./bin
COPY public ./public
COPY configs ./configs
COPY deploy/config ./deploy/config
COPY deploy/healthcheck.mjs ./deploy/healthcheck.mjs
# data/ holds the simulator's account (connector) and logs; compose mounts a volume here
RUN mkdir -p /app/data && chown node:node /app/data
USER node
STOPSIGNAL SIGTERM

# -- exchange-connector: gRPC for the engine and the live-server, /metrics for Prometheus
FROM runtime AS exchange-connector
EXPOSE 50051 9464
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "deploy/healthcheck.mjs", "grpc", "127.0.0.1:50051"]
CMD ["node", "bin/exchange-connector.js", "--config", "deploy/config/exchange_connector.yaml", "--host", "0.0.0.0", "--port", "50051", "--metrics-host", "0.0.0.0", "--metrics-port", "9464"]

# -- live-server: the dashboard (HTTP + WebSocket) and its /metrics
FROM runtime AS live-server
EXPOSE 8888
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "deploy/healthcheck.mjs", "http", "http://127.0.0.1:8888/health"]
CMD ["node", "bin/live-server.js", "--config", "deploy/config/live_server.yaml", "--host", "0.0.0.0", "--port", "8888", "--connector", "exchange-connector:50051"]

# -- market-maker: the engine; admin API (/health /status /symbols /metrics) on the private network
FROM runtime AS market-maker
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "deploy/healthcheck.mjs", "http", "http://127.0.0.1:8080/health"]
CMD ["node", "bin/market-maker.js", "--config", "deploy/config/market_maker.yaml", "--admin-host", "0.0.0.0", "--admin-port", "8080"]
