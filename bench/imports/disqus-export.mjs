// Writes a Disqus export of any size, as a site's would look: threads (a tenth
// of them twice, under http and https), replies up to a dozen deep, a few
// deleted and spam posts, names in several scripts, Markdown-like characters.
// Written as it goes (the file is never held), and the same for the same
// arguments. Used by bench/imports/run.mjs and the streaming test.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const NAMES = ['Anna Reader', '菜鳥', 'Анна', 'محمد', 'José Ñúñez', 'John', '小明', 'Ola Nordmann', 'Jean-Luc'];
const BODIES = [
  '<p>I agree with <b>most</b> of this.</p>',
  '<p>2 * 3 = 6, and _this_ is not emphasis ~~ nor this</p>',
  '<p># not a heading</p><p>Read <a href="https://example.org/report">the report</a>.</p>',
  '<p>菜鳥~~~ 1. not a list | a pipe</p>',
  '<blockquote>quoted</blockquote><p>and an answer<br>on two lines</p>',
];

// A small deterministic generator (mulberry32).
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * @param {string} file
 * @param {{ posts: number, threads: number, seed?: number }} size
 * @returns {Promise<{ posts: number, threads: number, pages: number, hidden: number, published: number }>}
 * pages: the pages that got at least one post.
 */
export async function writeDisqusExport(file, { posts, threads, seed = 42 }) {
  const rand = random(seed);
  const out = createWriteStream(file);
  const write = async (text) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(
    '<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n',
  );
  // Every tenth page has a second thread under http.
  const threadIds = [];
  for (let p = 0; p < threads; p += 1) {
    const link = `https://news.example.com/${2010 + (p % 10)}/story-${p}`;
    threadIds.push([`${p + 1}`]);
    await write(
      `<thread dsq:id="${p + 1}"><id>story-${p}</id><link>${link}</link><title>Story ${p}</title><createdAt>2015-01-01T00:00:00Z</createdAt><isClosed>false</isClosed></thread>\n`,
    );
    if (p % 10 === 0) {
      threadIds[p].push(`${p + 1}-http`);
      await write(
        `<thread dsq:id="${p + 1}-http"><id></id><link>${link.replace('https:', 'http:')}/</link><title>Story ${p}</title></thread>\n`,
      );
    }
  }
  // Per page, the posts so far and their depths, to reply to.
  const byPage = Array.from({ length: threads }, () => []);
  let hidden = 0;
  const start = Date.parse('2015-01-01T00:00:00Z');
  for (let i = 0; i < posts; i += 1) {
    const page = Math.floor(rand() * threads);
    const earlier = byPage[page];
    let parent = null;
    let depth = 0;
    if (earlier.length > 0 && rand() < 0.6) {
      const [id, d] = earlier[Math.floor(rand() * earlier.length)];
      if (d < 12) {
        parent = id;
        depth = d + 1;
      }
    }
    const id = `${1_000_000 + i}`;
    earlier.push([id, depth]);
    const thread = threadIds[page][Math.floor(rand() * threadIds[page].length)];
    const spam = rand() < 0.01;
    const deleted = !spam && rand() < 0.02;
    if (spam || deleted) hidden += 1;
    const name = NAMES[Math.floor(rand() * NAMES.length)];
    const who = Math.floor(rand() * 5000);
    const author =
      who % 4 === 0
        ? `<author><name>${name}</name><isAnonymous>true</isAnonymous></author>`
        : `<author><name>${name}</name><isAnonymous>false</isAnonymous><username>disqus_${who.toString(36)}</username></author>`;
    const at = new Date(start + i * 60_000).toISOString();
    await write(
      `<post dsq:id="${id}"><message><![CDATA[${BODIES[i % BODIES.length]}]]></message><createdAt>${at}</createdAt>` +
        `<isDeleted>${deleted}</isDeleted><isSpam>${spam}</isSpam>${author}<thread dsq:id="${thread}"/>` +
        `${parent ? `<parent dsq:id="${parent}"/>` : ''}</post>\n`,
    );
  }
  await write('</disqus>\n');
  out.end();
  await once(out, 'finish');
  return {
    posts,
    threads: threads + Math.ceil(threads / 10),
    pages: byPage.filter((list) => list.length > 0).length,
    hidden,
    published: posts - hidden,
  };
}
