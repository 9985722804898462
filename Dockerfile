# One image for the `migrate`, `worker-*` and `api-*` services of docker-compose.yml.
# The code runs from TypeScript source under tsx, as in development: there is no build step.
FROM node:20-bookworm-slim

# openssl lets the Prisma CLI detect the platform without a warning.
RUN apt-get update \
  && apt-get install -y --no-install-recommends openssl \
  && rm -rf /var/lib/apt/lists/*

# The image ships npm 10, which ignores package.json "allowScripts"; the project's npm 11 honours
# it (Prisma's native engine download stays off, only the approved install scripts run).
RUN npm install -g npm@11.19.1 && npm cache clean --force

# Run as the unprivileged `node` user.
RUN mkdir -p /app && chown node:node /app
WORKDIR /app
USER node

# Dependencies first: this layer is rebuilt only when the lockfile changes.
COPY --chown=node:node package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY --chown=node:node . .
RUN npx prisma generate

# `npm run` starts its script through a shell. dash (the default sh) stays in between and drops the
# SIGTERM that npm forwards, so the worker never drains; bash runs a one-command script in place.
ENV npm_config_script_shell=/bin/bash
# No DATABASE_URL here: docker-compose.yml sets it (PostgreSQL), like the other settings.
EXPOSE 3000
CMD ["npm", "run", "api"]
