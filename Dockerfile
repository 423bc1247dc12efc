# syntax=docker/dockerfile:1
# The production image: `node dist/server.js` as an unprivileged user. Migrations run at start
# (src/boot.ts); production never seeds demo data, so create the first administrator with
# `node dist/src/db/cli.js create-admin <username>` and ADMIN_PASSWORD (see docker-compose.yml).

FROM node:20-bookworm-slim AS build
WORKDIR /app
# Compilers for the native modules (better-sqlite3, bcrypt) when no prebuilt binary fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json knexfile.ts ./
COPY scripts ./scripts
COPY src ./src
COPY migrations ./migrations
COPY seeds ./seeds
# The server reads its templates from src/ at run time (src/paths.ts), so every file there that is
# not TypeScript is kept for the runtime stage.
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && mkdir -p /runtime \
 && find src -type f ! -name '*.ts' -exec cp --parents {} /runtime/ \;

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
# package.json marks the project root, from which views/, locales/, public/ and node_modules/bootstrap are found.
COPY package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /runtime/src ./src
COPY views ./views
COPY locales ./locales
COPY public ./public
# Only data/ is writable: the SQLite file lives there when DATABASE_URL is not a mysql:// URL.
RUN mkdir data && chown node:node data
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/server.js"]
