# Tollgate: multi-stage build, production dependencies only, non-root.
# Node 24 runs the TypeScript sources directly (type stripping), so there is
# no compile step; the build stage only installs dependencies.

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    LEDGER_PATH=/data/tollgate.sqlite
WORKDIR /app

COPY --from=deps /app/node_modules ./node_modules
COPY package.json pricing.yaml ./
COPY config ./config
COPY src ./src

RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080

HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"

# Test files are excluded by .dockerignore; the gateway reads only src, config and pricing.yaml.
CMD ["node", "src/main.ts"]
