# Open POS as a container image (docs/deploy.md#docker). Build: docker build -t open-pos .
# NODE_IMAGE is any image with Node.js 24 on Debian (useradd): the official one by default; the
# test (scripts/test-docker.sh) passes a base built locally, as it cannot pull images.
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- production dependencies only. The app runs its TypeScript at runtime through
# @poppinss/ts-exec and @swc/core (production dependencies; swc's binary comes as the optional
# package @swc/core-linux-*). better-sqlite3 ships prebuilt binaries in its package. No install
# script is needed, and some npm versions would try to compile better-sqlite3 with node-gyp
# (no compiler in the image): --ignore-scripts, then prove both native parts load.
# devDependencies are deleted first: `npm ci --omit=dev` alone keeps the ones that are also
# optional peers of production packages (typescript, playwright, the test runner...: 60 MB);
# the lockfile still pins every version that is installed.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm pkg delete devDependencies \
    && npm install --omit=dev --ignore-scripts --no-save --no-audit --no-fund && npm cache clean --force \
    && node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get(); require('@swc/core').transformSync('let a: number = 1', { jsc: { parser: { syntax: 'typescript' } } })"

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
