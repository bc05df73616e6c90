# The gateway and the worker of one node, in one image (the command picks the process).
# The build stage runs the steps CI runs (npm ci, npm run build); the runtime stage keeps the
# production dependencies, the build and the default configuration, and runs as a non-root user.
#   docker build -t cooperation-gateway .
#   docker run --env-file node.env -v /srv/node/secrets:/run/secrets:ro cooperation-gateway         # gateway
#   docker run --env-file node.env -v /srv/node/secrets:/run/secrets:ro cooperation-gateway worker  # worker

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/config ./config
USER node
EXPOSE 4100
# `worker` runs the worker; anything else (or nothing) runs the gateway.
ENTRYPOINT ["sh", "-c", "if [ \"$1\" = worker ]; then exec node dist/apps/worker/src/main.js; else exec node dist/apps/gateway/src/main.js; fi", "--"]
