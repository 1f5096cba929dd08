# syntax=docker/dockerfile:1
# crotel's container image. Node 24 runs the TypeScript sources directly (type stripping), so
# there is no build step: stage 1 installs the production dependencies, stage 2 is the slim
# runtime with just node_modules, the sources, and the examples (the simulator and the reference
# configs used by docker-compose). Runs as the unprivileged `node` user (uid 1000).
#
#   docker build -t crotel .
#   docker run --rm crotel validate --config examples/databaseinstance/crotel.yaml

ARG NODE_IMAGE=node:24.21.0-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no dependency needs an install script at run time.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --chown=root:root package.json ./
COPY --chown=root:root bin ./bin
COPY --chown=root:root src ./src
COPY --chown=root:root examples ./examples
# Files stay root-owned and read-only for the process; it needs no writable path.
USER node
EXPOSE 8080
ENTRYPOINT ["node", "bin/crotel.js"]
CMD ["run", "--config", "/etc/crotel/crotel.yaml"]
