# syntax=docker/dockerfile:1
# crotel's container image, built as the npm package is: stage 1 compiles src/ to dist/ (tsc, as
# `npm run build` does: Node does not strip types under node_modules, and the image runs what the
# package ships), stage 2 installs the production dependencies, stage 3 is the slim runtime with
# node_modules, dist/, bin/, the JSON Schema and the examples (the simulator's reference configs
# used by docker-compose). Runs as the unprivileged `node` user (uid 1000).
#
#   docker build --build-arg REVISION="$(git rev-parse HEAD)" -t crotel .
#   docker run --rm crotel validate --config examples/databaseinstance/crotel.yaml

ARG NODE_IMAGE=node:24.21.0-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no dependency needs an install script at run time.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
# The source revision, shown in crotel_build_info{revision=…} when given.
ARG REVISION=""
ENV NODE_ENV=production CROTEL_REVISION=${REVISION}
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --chown=root:root package.json ./
COPY --chown=root:root bin ./bin
COPY --from=build --chown=root:root /src/dist ./dist
COPY --chown=root:root schema ./schema
COPY --chown=root:root examples ./examples
# Files stay root-owned and read-only for the process; it needs no writable path.
USER node
EXPOSE 8080
ENTRYPOINT ["node", "bin/crotel.js"]
CMD ["run", "--config", "/etc/crotel/crotel.yaml"]
