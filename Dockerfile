FROM node:22.23-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY prisma ./prisma
COPY prisma.config.ts ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:22.23-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/prisma ./prisma
# The message catalogues: the server reads locales/server/*.po at start.
COPY --from=build /app/locales ./locales
COPY --from=build /app/package.json ./
USER node
EXPOSE 3000
CMD ["node", "--liftoff-only", "dist/apps/api/src/main.js"]
