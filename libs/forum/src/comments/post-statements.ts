// The statements behind posting a published comment, as text and values for
// node-postgres: the create path runs them on the database pool directly
// (no Prisma query building and result mapping on the hottest write), and the
// write benchmark's baseline imports them from here, so both run the same SQL.
// This module depends on nothing but the standard library (ADR 26).

export interface Statement {
  text: string;
  values: unknown[];
}

// Columns every comment read returns, aliased to CommentRow.
export function commentColumns(c: string): string {
  return `${c}.id, ${c}.article_id AS "articleId", ${c}.parent_id AS "parentId", ${c}.author_id AS "authorId",
  ${c}.depth, ${c}.status::text AS status, ${c}.listed, ${c}.body_source AS "bodySource", ${c}.body_html AS "bodyHtml",
  ${c}.reply_count AS "replyCount", ${c}.descendant_count AS "descendantCount", ${c}.upvotes, ${c}.downvotes,
  ${c}.score, ${c}.created_at AS "createdAt", ${c}.edited_at AS "editedAt", ${c}.version,
  ${c}.open_reports AS "openReports", ${c}.featured, ${c}.pinned, ${c}.moderation_reason AS "moderationReason",
  ${c}.best_score AS "bestScore", ${c}.controversy, ${c}.anchor_paragraph AS "anchorParagraph", ${c}.anchor_quote AS "anchorQuote",
  ${c}.anchor_prefix AS "anchorPrefix", ${c}.anchor_suffix AS "anchorSuffix", ${c}.stance::text AS stance, ${c}.lang`;
}

// What a post needs to know, in one read: its article (no body: ~11 KB on an
// op-ed; the passages are read only for a comment that quotes one), whether
// its client id is taken already (a retry), and for a reply its parent.
export function postContext(slug: string, id: string | null, parentId: string | null): Statement {
  return {
    text: `SELECT a.id, a.state::text AS state, a.premoderation, a.slow_mode_seconds AS "slowModeSeconds",
        a.new_commenter_review AS "newCommenterReview",
        EXISTS (SELECT 1 FROM comments t WHERE t.id = $2::uuid) AS "idTaken",
        p.article_id AS "parentArticleId", p.author_id AS "parentAuthorId", p.status::text AS "parentStatus",
        p.depth AS "parentDepth", p.path::text[] AS "parentPath"
      FROM articles a LEFT JOIN comments p ON p.id = $3::uuid
      WHERE a.slug = $1`,
    values: [slug, id, parentId],
  };
}

export interface PostContextRow {
  id: string;
  state: string;
  premoderation: boolean;
  slowModeSeconds: number;
  newCommenterReview: number | null;
  idTaken: boolean;
  parentArticleId: string | null;
  parentAuthorId: string | null;
  parentStatus: string | null;
  parentDepth: number | null;
  parentPath: string[] | null;
}

export interface PublishedComment {
  id: string;
  articleId: string;
  parentId: string | null;
  authorId: string;
  path: string[];
  depth: number;
  bodySource: string;
  bodyHtml: string;
  anchor: { paragraph: number; quote: string; prefix: string; suffix: string } | null;
  stance: string | null;
  lang: string | null;
}

// One statement, so one round trip, and the article's row lock is held only
// while PostgreSQL runs it and commits: bump the article's event counter and
// counts (taking its row lock, first, as every writer does), insert the
// comment, bump its ancestors' counters, note the reply for the parent's
// author, and append the article's event (`payload`: its stored JSON). Every
// part reads the article's CTE, so the lock comes first. A taken id fails the
// statement as a whole (unique violation on comments_pkey: nothing is
// written); a closed article returns no row (nothing is written).
export function insertPublished(c: PublishedComment, event: { type: string; payload: string }): Statement {
  const values: unknown[] = [];
  const $ = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const articleId = $(c.articleId);
  const bump = (column: string, key: string | null) =>
    key === null
      ? ''
      : `, ${column} = jsonb_set(${column}, ARRAY[${$(key)}::text], to_jsonb(COALESCE((${column}->>${$(key)}::text)::int, 0) + 1))`;
  const counts = bump('passage_counts', c.anchor ? String(c.anchor.paragraph) : null) + bump('stance_counts', c.stance);
  const ancestors = c.path.slice(0, -1);
  const text = `WITH art AS (
    UPDATE articles SET last_seq = last_seq + 1, comment_count = comment_count + 1${counts}
    WHERE id = ${articleId}::uuid AND state = 'open'
    -- At the log's precision, so the live event says the time a replay will.
    RETURNING last_seq AS seq, now()::timestamptz(3) AS at
  ), ins AS (
    INSERT INTO comments (id, article_id, parent_id, author_id, path, depth, status, listed,
                          body_source, body_html, created_at, updated_at,
                          anchor_paragraph, anchor_quote, anchor_prefix, anchor_suffix, stance, lang)
    SELECT ${$(c.id)}::uuid, ${articleId}::uuid, ${$(c.parentId)}::uuid, ${$(c.authorId)}::uuid, ${$(c.path)}::uuid[],
           ${$(c.depth)}::int, 'published', true, ${$(c.bodySource)}, ${$(c.bodyHtml)}, art.at, art.at,
           ${$(c.anchor?.paragraph ?? null)}::int, ${$(c.anchor?.quote ?? null)}, ${$(c.anchor?.prefix ?? null)},
           ${$(c.anchor?.suffix ?? null)}, ${$(c.stance)}::"Stance", ${$(c.lang)}::varchar
    FROM art
    RETURNING *
  )${
    ancestors.length === 0
      ? ''
      : `, anc AS (
    UPDATE comments
    SET descendant_count = descendant_count + 1,
        reply_count = reply_count + CASE WHEN id = ${$(c.parentId)}::uuid THEN 1 ELSE 0 END
    WHERE id = ANY(${$(ancestors)}::uuid[]) AND EXISTS (SELECT 1 FROM ins)
  ), note AS (
    INSERT INTO notifications (id, user_id, type, comment_id, article_id, actor_id, created_at)
    SELECT gen_random_uuid(), p.author_id, 'reply', ins.id, ins.article_id, ins.author_id, now()
    FROM ins JOIN comments p ON p.id = ins.parent_id WHERE p.author_id <> ins.author_id
  )`
  }, ev AS (
    INSERT INTO article_events (article_id, seq, type, audience, user_id, comment_id, payload, created_at)
    SELECT ins.article_id, art.seq, ${$(event.type)}, 'public', NULL, ins.id, ${$(event.payload)}::jsonb, art.at
    FROM art, ins
  )
  SELECT art.seq AS "eventSeq", art.at AS "eventAt", ${commentColumns('ins')}, u.username AS "authorName", u.display_name AS "authorDisplayName"
  FROM art JOIN ins ON true JOIN users u ON u.id = ins.author_id`;
  return { text, values };
}

// A post whose id is taken fails with this.
export function isCommentIdTaken(error: unknown): boolean {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  return e?.code === '23505' && e.constraint === 'comments_pkey';
}
