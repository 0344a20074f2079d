// The read benchmark's data set: a dedicated database (rejoinder_bench by
// default) on BENCH_DATABASE_SERVER, migrated with the project's own migrator
// and filled with set-based SQL (INSERT ... SELECT FROM unnest(...) of arrays
// computed here), never through the API.
//
// Caching: the database carries a COMMENT with the data set's signature (the
// generator version, the sizes, the seed and the names of the migrations).
// When the signature matches and the counts check out, the data is reused;
// otherwise (or with BENCH_REBUILD=1) the database is dropped and rebuilt.
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { buildShape, MAX_DOWN, MAX_UP, rng } from './tree-shape.mjs';

const GENERATOR_VERSION = 4;
const SEED = 20260101;
// Enough users for every vote to come from a distinct non-author user.
const USERS = 300;
const CHUNK = 10_000;

export const ARTICLES = [
  { slug: 'bench-50k', comments: 50_000, title: 'Benchmark thread, 50,000 comments' },
  { slug: 'bench-200k', comments: 200_000, title: 'Benchmark thread, 200,000 comments' },
];

// Short paragraphs in the Markdown subset comments accept; rendered with the
// app's own renderer so body_html is what the app would have stored.
const BODIES = [
  'I think the **second half** of the article undersells how long this has been coming.',
  'Source? The figures in the third paragraph do not match what the ministry published last week.',
  'This is the part people keep missing: the policy was *announced* in March but never funded.',
  'Agreed, though the comparison with 2008 only goes so far. Different rates, different debts.',
  'Has anyone read the full report? It is [linked here](https://example.org/report) and it is long.',
  'Good piece. I would have liked a word from the people who actually live there.',
  'Respectfully, no. The numbers were revised *upwards* twice since then.',
  'The headline promises more than the article delivers, but the reporting itself is solid.',
  'My town went through exactly this ten years ago. It took a decade to recover.',
  'Both sides are talking past each other here; neither has proposed anything that adds up.',
  'Small correction: it was the upper house, not the lower, that blocked the bill.',
  'This thread is better than the article. Thanks all for the links.',
  'Can we keep this civil? There is a real question underneath the noise.',
  'Quoting the piece: "no plan survives its first budget". That line says it all.',
  'Not sure why this is downvoted; it is just what the court said.',
  'Long-time reader, first comment. The map in the middle is wrong: the river is further east.',
];

export function serverUrl() {
  return process.env.BENCH_DATABASE_SERVER || 'postgresql://postgres@127.0.0.1:5432/postgres';
}

export function withDatabase(url, name) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

function migrationNames(root) {
  return readdirSync(join(root, 'prisma/migrations'), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

function signatureOf(root) {
  return JSON.stringify({
    generator: GENERATOR_VERSION,
    seed: SEED,
    users: USERS,
    articles: ARTICLES.map((a) => [a.slug, a.comments]),
    migrations: migrationNames(root),
  });
}

async function withClient(url, fn) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const ident = (name) => `"${name.replace(/"/g, '""')}"`;

// Returns { databaseUrl, rebuilt, seconds }.
export async function ensureDataset({ root, dbName, log }) {
  const server = serverUrl();
  const databaseUrl = withDatabase(server, dbName);
  const signature = signatureOf(root);
  const started = Date.now();

  const cached = await withClient(server, async (c) => {
    const { rows } = await c.query(
      `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`,
      [dbName],
    );
    return rows.length > 0 ? rows[0].comment : undefined;
  });
  if (cached === signature && process.env.BENCH_REBUILD !== '1') {
    const ok = await withClient(databaseUrl, async (c) => {
      const { rows } = await c.query(`SELECT slug, comment_count FROM articles WHERE slug = ANY($1)`, [
        ARTICLES.map((a) => a.slug),
      ]);
      return ARTICLES.every((a) => rows.some((r) => r.slug === a.slug && r.comment_count === a.comments));
    }).catch(() => false);
    if (ok) {
      log(`Reusing the data set in ${dbName} (signature matches; BENCH_REBUILD=1 forces a rebuild)`);
      return { databaseUrl, rebuilt: false, seconds: 0 };
    }
  }

  log(`Building the data set in ${dbName}${cached === undefined ? '' : ' (dropping the old one)'}`);
  await withClient(server, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${ident(dbName)} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${ident(dbName)}`);
  });
  const { applyMigrations } = await import(join(root, 'dist/libs/db/src/migrations/migrator.js'));
  const applied = await applyMigrations({ databaseUrl, projectRoot: root });
  log(`  migrations applied: ${applied.join(', ')}`);

  const { renderCommentMarkdown } = await import(join(root, 'dist/libs/forum/src/markdown/markdown-renderer.js'));
  const ranking = await rankingFunctions(root);
  if (USERS <= MAX_UP + MAX_DOWN) throw new Error('USERS must exceed MAX_UP + MAX_DOWN');
  const bodyHtml = BODIES.map((b) => renderCommentMarkdown(b));

  await withClient(databaseUrl, async (c) => {
    // Secondary indexes of comments are dropped for the load and rebuilt from
    // their own definitions afterwards (much faster than maintaining them row
    // by row; the result is the same set of indexes, freshly packed).
    const { rows: indexes } = await c.query(`
      SELECT i.relname AS name, pg_get_indexdef(i.oid) AS def
      FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
      WHERE t.relname = 'comments' AND NOT x.indisprimary`);
    for (const ix of indexes) await c.query(`DROP INDEX ${ident(ix.name)}`);

    const userIds = Array.from({ length: USERS }, () => randomUUID());
    await c.query(
      `INSERT INTO users (id, username, username_key, email, password_hash, role, created_at, updated_at)
       SELECT id, 'reader' || n, 'reader' || n, 'reader' || n || '@bench.invalid', 'x', 'commenter', now(), now()
       FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, n)`,
      [userIds],
    );

    const r = rng(SEED);
    let seedOffset = 1;
    for (const article of ARTICLES) {
      const t0 = Date.parse('2026-01-05T08:00:00.000Z');
      const shape = buildShape(article.comments, SEED + seedOffset++, t0);
      const articleId = randomUUID();
      const publishedCount = article.comments; // every row is published and listed
      await c.query(
        `INSERT INTO articles (id, slug, title, byline, published_at, body_source, body_html, state,
                               comment_count, created_at, updated_at)
         VALUES ($1, $2, $3, 'Bench Desk', $4, 'Body.', '<p>Body.</p>', 'open', $5, $4, $4)`,
        [articleId, article.slug, article.title, new Date(t0 - 3600_000), publishedCount],
      );
      const ids = Array.from({ length: shape.n }, () => randomUUID());
      const paths = new Array(shape.n);
      for (let i = 0; i < shape.n; i++) {
        const p = shape.parent[i];
        paths[i] = p < 0 ? [ids[i]] : [...paths[p], ids[i]];
      }
      for (let from = 0; from < shape.n; from += CHUNK) {
        const to = Math.min(shape.n, from + CHUNK);
        const col = (f) => Array.from({ length: to - from }, (_, k) => f(from + k));
        await c.query(
          `INSERT INTO comments (id, article_id, parent_id, author_id, path, depth, status, listed,
                                 body_source, body_html, reply_count, descendant_count, upvotes, downvotes, score,
                                 best_score, controversy, created_at, updated_at)
           SELECT d.id, $1::uuid, d.parent_id, ($2::uuid[])[d.author + 1], d.path::uuid[], d.depth, 'published', true,
                  ($3::text[])[d.body + 1], ($4::text[])[d.body + 1], d.reply_count, d.descendant_count,
                  d.up, d.down, d.up - d.down, d.best, d.controversy, d.created_at, d.created_at
           FROM unnest($5::uuid[], $6::uuid[], $7::text[], $8::int[], $9::int[], $10::int[], $11::int[],
                       $12::int[], $13::int[], $14::int[], $15::timestamptz[], $16::float8[], $17::float8[])
                AS d(id, parent_id, path, depth, author, body, reply_count, descendant_count, up, down, created_at,
                     best, controversy)`,
          [
            articleId,
            userIds,
            BODIES,
            bodyHtml,
            col((i) => ids[i]),
            col((i) => (shape.parent[i] < 0 ? null : ids[shape.parent[i]])),
            col((i) => `{${paths[i].join(',')}}`),
            col((i) => shape.depth[i]),
            col((i) => shape.author[i] % USERS),
            col(() => Math.floor(r() * BODIES.length)),
            col((i) => shape.replyCount[i]),
            col((i) => shape.descendantCount[i]),
            col((i) => shape.upvotes[i]),
            col((i) => shape.downvotes[i]),
            col((i) => new Date(shape.createdMs[i]).toISOString()),
            col((i) => ranking.best(shape.upvotes[i], shape.downvotes[i])),
            col((i) => ranking.controversy(shape.upvotes[i], shape.downvotes[i])),
          ],
        );
      }
      // One row per vote, set-based: vote k (1..up+down) of a comment comes
      // from the k-th user after its author (mod USERS), so voters are
      // distinct and never the author; the first `upvotes` are +1.
      if (ranking.votesTable) {
        await c.query(
          `INSERT INTO votes (comment_id, user_id, value, created_at, updated_at)
           SELECT c.id, ($1::uuid[])[1 + ((array_position($1::uuid[], c.author_id) - 1 + k) % $2::int)],
                  CASE WHEN k <= c.upvotes THEN 1 ELSE -1 END, c.created_at, c.created_at
           FROM comments c CROSS JOIN LATERAL generate_series(1, c.upvotes + c.downvotes) AS k
           WHERE c.article_id = $3::uuid`,
          [userIds, USERS, articleId],
        );
      }
      log(`  ${article.slug}: ${shape.n} comments loaded`);
    }
    for (const ix of indexes) await c.query(ix.def);
    log(`  rebuilt ${indexes.length} indexes: ${indexes.map((i) => i.name).join(', ')}`);
    await c.query('VACUUM ANALYZE');
    await verify(c, log, ranking);
  });
  await withClient(server, (c) => c.query(`COMMENT ON DATABASE ${ident(dbName)} IS ${pg.escapeLiteral(signature)}`));
  const seconds = (Date.now() - started) / 1000;
  log(`  data set ready in ${seconds.toFixed(1)} s`);
  return { databaseUrl, rebuilt: true, seconds };
}

// The app's own formulas for the ranked sorts (best_score, controversy),
// when this version of the app has them; and whether there is a votes table.
async function rankingFunctions(root) {
  // scoring.js, or in earlier versions the comments repository, which held them.
  const scoring = join(root, 'dist/libs/forum/src/comments/scoring.js');
  const repo = await import(
    existsSync(scoring) ? scoring : join(root, 'dist/libs/forum/src/comments/comments.repository.js')
  );
  const has = typeof repo.wilsonLowerBound === 'function' && typeof repo.controversy === 'function';
  return {
    columns: has,
    votesTable: has,
    best: has ? repo.wilsonLowerBound : () => 0,
    controversy: has ? repo.controversy : () => 0,
  };
}

// Every counter and path the app maintains, checked against the rows.
// Throws on the first inconsistency.
export async function verify(c, log, ranking) {
  const checks = [
    [
      'reply_count = listed direct replies',
      `SELECT count(*)::int AS bad FROM comments c
       LEFT JOIN (SELECT parent_id, count(*) AS n FROM comments WHERE listed GROUP BY parent_id) k ON k.parent_id = c.id
       WHERE c.reply_count <> coalesce(k.n, 0)`,
    ],
    [
      'descendant_count = listed descendants',
      `SELECT count(*)::int AS bad FROM comments c
       LEFT JOIN (SELECT a.id, count(*) AS n FROM comments d CROSS JOIN LATERAL unnest(d.path[1:array_length(d.path, 1) - 1]) AS a(id)
                  WHERE d.listed GROUP BY a.id) k ON k.id = c.id
       WHERE c.descendant_count <> coalesce(k.n, 0)`,
    ],
    [
      'path = parent path || id, depth = parent depth + 1, same article',
      `SELECT count(*)::int AS bad FROM comments c LEFT JOIN comments p ON p.id = c.parent_id
       WHERE CASE WHEN c.parent_id IS NULL THEN c.path <> ARRAY[c.id] OR c.depth <> 0
                  ELSE p.id IS NULL OR c.path <> p.path || c.id OR c.depth <> p.depth + 1 OR c.article_id <> p.article_id
                       OR c.created_at < p.created_at END`,
    ],
    [
      'status, listed and score',
      `SELECT count(*)::int AS bad FROM comments
       WHERE status <> 'published' OR NOT listed OR score <> upvotes - downvotes OR depth > 12`,
    ],
    [
      'articles.comment_count = published comments',
      `SELECT count(*)::int AS bad FROM articles a
       WHERE a.comment_count <> (SELECT count(*) FROM comments c WHERE c.article_id = a.id AND c.status = 'published')`,
    ],
  ];
  const { rows: tables } = await c.query(`SELECT to_regclass('votes') IS NOT NULL AS votes`);
  if (tables[0].votes) {
    checks.push([
      'upvotes/downvotes = votes rows; no one votes for their own comment',
      `SELECT count(*)::int AS bad FROM comments c
       LEFT JOIN (SELECT comment_id, count(*) FILTER (WHERE value = 1) AS up, count(*) FILTER (WHERE value = -1) AS down,
                         count(*) FILTER (WHERE v.user_id = cc.author_id) AS own
                  FROM votes v JOIN comments cc ON cc.id = v.comment_id GROUP BY comment_id) v ON v.comment_id = c.id
       WHERE c.upvotes <> coalesce(v.up, 0) OR c.downvotes <> coalesce(v.down, 0) OR coalesce(v.own, 0) > 0`,
    ]);
  }
  for (const [name, sql] of checks) {
    const { rows } = await c.query(sql);
    if (rows[0].bad !== 0) throw new Error(`Data set check failed: ${name}: ${rows[0].bad} rows wrong`);
  }
  if (ranking?.columns) {
    // best_score and controversy as the app computes them from the votes.
    const { rows: all } = await c.query('SELECT upvotes, downvotes, best_score, controversy FROM comments');
    const near = (a, b) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
    const bad = all.filter(
      (r) =>
        !near(r.best_score, ranking.best(r.upvotes, r.downvotes)) ||
        !near(r.controversy, ranking.controversy(r.upvotes, r.downvotes)),
    ).length;
    if (bad !== 0) throw new Error(`Data set check failed: best_score/controversy from the votes: ${bad} rows wrong`);
  }
  const { rows } = await c.query(`
    SELECT a.slug, count(*)::int AS comments, count(*) FILTER (WHERE c.depth = 0)::int AS top_level,
           max(c.depth) AS max_depth, max(c.reply_count) AS max_replies, min(c.score) AS min_score, max(c.score) AS max_score,
           sum(c.upvotes + c.downvotes)::int AS votes
    FROM comments c JOIN articles a ON a.id = c.article_id GROUP BY a.slug ORDER BY 2`);
  for (const r of rows) {
    log(
      `  checked ${r.slug}: ${r.comments} comments, ${r.top_level} top-level, depth <= ${r.max_depth}, ` +
        `most replies ${r.max_replies}, score ${r.min_score}..${r.max_score}, ${r.votes} votes`,
    );
  }
}
