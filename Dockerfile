# Open POS as a container image (docs/deploy.md#docker). Build: docker build -t open-pos .
# NODE_IMAGE is any image with Node.js 24 on Debian (useradd): the official one by default; the
# test (scripts/test-docker.sh) passes a base built locally, as it cannot pull images.
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- production dependencies only (the app runs its TypeScript through @poppinss/ts-exec and
# @swc/core, both production dependencies; better-sqlite3 ships prebuilt binaries: no compiler)
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---- the image
FROM ${NODE_IMAGE}
WORKDIR /app
RUN useradd --system --user-group --uid 10001 --home-dir /app --shell /usr/sbin/nologin pos
COPY --from=deps /app/node_modules ./node_modules
COPY . .
# storage/ holds the SQLite database (when DB_CONNECTION=sqlite) and the generated APP_KEY
RUN mkdir -p storage tmp && chown pos:pos storage tmp
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3333 \
    LOG_LEVEL=info \
    SESSION_DRIVER=cookie \
    DB_CONNECTION=sqlite
USER pos
VOLUME ["/app/storage"]
EXPOSE 3333
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3333) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Runs pending migrations, then serves; SIGTERM is forwarded to the server
CMD ["node", "ace.js", "pos:start"]
