# Build: compile TypeScript once, with dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY flows ./flows
COPY jobs ./jobs
COPY locales ./locales
COPY campaigns ./campaigns
RUN npm run build

# Run: production dependencies and the built JS only, as a non-root user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force \
 && mkdir -p /data && chown node:node /data
COPY --from=build /app/dist ./dist
COPY campaigns ./campaigns
COPY locales ./locales
COPY src/channels/simulator/page.html ./src/channels/simulator/page.html
COPY src/web/assets ./src/web/assets
# The charts' only font (src/services/charts/font.ts) and its licence.
COPY assets ./assets
USER node
VOLUME ["/data"]
EXPOSE 3000
# Set REDIS_URL: the image has no redis-server of its own.
CMD ["node", "dist/src/main.js"]
