import * as prettier from 'prettier';
import { readFileSync } from 'node:fs';
import { ARTICLE_EVENT_NAMES, SESSION_EVENT_NAMES, withEventTable } from '@rejoinder/common';
import { EVENT_TYPES } from '../support/sockets.js';

// The event catalogue is the one definition; what documents events derives from it.
describe('the event catalogue', () => {
  it("is what docs/realtime.md's event table says (run npm run openapi after changing it)", async () => {
    const doc = readFileSync('docs/realtime.md', 'utf8');
    const options = await prettier.resolveConfig('docs/realtime.md');
    expect(doc).toBe(await prettier.format(withEventTable(doc), { ...options, filepath: 'docs/realtime.md' }));
    for (const name of [...ARTICLE_EVENT_NAMES, ...SESSION_EVENT_NAMES])
      expect(doc).toMatch(new RegExp(`\\| \`${name.replaceAll('.', '\\.')}\` +\\|`));
  });

  it('is the list of event types in the OpenAPI description and in the tests', () => {
    const openapi = JSON.parse(readFileSync('docs/openapi.json', 'utf8'));
    const page = openapi.paths['/api/articles/{slug}/events'].get.responses['200'].content['application/json'].schema;
    expect(page).toEqual({ $ref: '#/components/schemas/EventsPage' });
    const events = openapi.components.schemas.EventsPage;
    expect(events.properties.events.items.properties.type.enum).toEqual(ARTICLE_EVENT_NAMES);
    expect(EVENT_TYPES).toEqual(ARTICLE_EVENT_NAMES);
  });
});
