// Writes docs/openapi.json from the running code's decorators, and
// docs/asyncapi.json and the event table of docs/realtime.md from the event
// catalogue (npm run openapi).
// The application is created but never listens or queries the database.
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import * as prettier from 'prettier';
import { loadConfig, withEventTable } from '../dist/libs/common/src/index.js';
import { createApp } from '../dist/apps/api/src/server.js';
import { buildOpenApiDocument } from '../dist/apps/api/src/openapi-document.js';
import { buildAsyncApiDocument } from '../dist/apps/api/src/asyncapi-document.js';

const config = loadConfig({
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  DATABASE_URL: 'postgresql://unused@127.0.0.1:1/unused',
  JWT_SECRET: 'x'.repeat(32),
});
const app = await createApp(config, config.DATABASE_URL);
await app.init();
writeFileSync('docs/openapi.json', `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`);
writeFileSync('docs/asyncapi.json', `${JSON.stringify(buildAsyncApiDocument(), null, 2)}\n`);
await app.close();
// The table is formatted as the rest of the tree is (npm run lint checks it).
const realtime = withEventTable(readFileSync('docs/realtime.md', 'utf8'));
const options = await prettier.resolveConfig('docs/realtime.md');
writeFileSync('docs/realtime.md', await prettier.format(realtime, { ...options, filepath: 'docs/realtime.md' }));
console.log('Wrote docs/openapi.json, docs/asyncapi.json and the event table of docs/realtime.md');
