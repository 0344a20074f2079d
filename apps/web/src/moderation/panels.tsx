import { useEffect, useState } from 'preact/hooks';
import {
  allArticles,
  api,
  explain,
  field,
  timeAgo,
  type Article,
  type ArticleSummary,
  type ModerationLogEntry,
  type Page,
  type WordRule,
} from '../api';
import { HealthPanel, SlowModeControl } from './health';
import { t } from '@lingui/core/macro';

export function ArticleSettings() {
  const [articles, setArticles] = useState<ArticleSummary[]>([]);
  const [slug, setSlug] = useState('');
  const [article, setArticle] = useState<Article | null>(null);
  const [message, setMessage] = useState('');
  const [error, setError] = useState('');

  useEffect(() => {
    allArticles().then(
      (all) => {
        setArticles(all);
        if (all[0]) setSlug(all[0].slug);
      },
      (e) => setError(explain(e)),
    );
  }, []);
  useEffect(() => {
    if (slug)
      api<Article>('GET', `/api/articles/${encodeURIComponent(slug)}`).then(setArticle, (e) => setError(explain(e)));
  }, [slug]);

  const save = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setError('');
    setMessage('');
    try {
      const review = field(form, 'newCommenterReview');
      const updated = await api<Article>('PATCH', `/api/moderation/articles/${encodeURIComponent(slug)}`, {
        state: form.get('closed') ? 'closed' : 'open',
        premoderation: !!form.get('premoderation'),
        newCommenterReview: review === '' ? null : Number(review),
      });
      setArticle((a) => (a ? { ...a, ...updated } : a));
      setMessage(t`Saved. Readers see the change now.`);
    } catch (e) {
      setError(explain(e));
    }
  };

  return (
    <section aria-labelledby="settings-title" class="panel">
      <h2 id="settings-title">{t`Article settings`}</h2>
      <label for="settings-article">{t`Article`}</label>
      <select id="settings-article" value={slug} onChange={(e) => setSlug(e.currentTarget.value)}>
        {articles.map((a) => (
          <option value={a.slug} dir="auto">
            {a.title}
          </option>
        ))}
      </select>
      {article && (
        <form
          onSubmit={(e) => void save(e)}
          key={`${article.slug}-${article.state}-${article.premoderation}-${article.newCommenterReview}`}
          class="settings"
        >
          <label class="check">
            <input type="checkbox" name="closed" defaultChecked={article.state === 'closed'} /> {t`Closed for comments`}
          </label>
          <label class="check">
            <input type="checkbox" name="premoderation" defaultChecked={article.premoderation} />{' '}
            {t`Premoderation: hold every new comment for review`}
          </label>
          <label>
            {t`New commenters: hold an account’s first`}{' '}
            <input
              type="number"
              name="newCommenterReview"
              min={0}
              max={1000}
              step={1}
              class="narrow"
              defaultValue={article.newCommenterReview === null ? '' : String(article.newCommenterReview)}
              placeholder={t`newsroom’s`}
            />{' '}
            {t`comments for review (empty: the newsroom’s setting; 0: none)`}
          </label>
          <div class="row">
            <button type="submit" class="primary">
              {t`Save settings`}
            </button>
            <a href={`/articles/${encodeURIComponent(article.slug)}`}>{t`Open the article`}</a>
          </div>
        </form>
      )}
      <p role="status" class="status">
        {message}
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {article && (
        <SlowModeControl article={article} onArticle={(updated) => setArticle((a) => (a ? { ...a, ...updated } : a))} />
      )}
      {article && (
        <HealthPanel article={article} onArticle={(change) => setArticle((a) => (a ? { ...a, ...change } : a))} />
      )}
    </section>
  );
}

type LogEntry = ModerationLogEntry;

export function ModerationLog() {
  const [items, setItems] = useState<LogEntry[]>([]);
  const [articles, setArticles] = useState<Map<string, ArticleSummary>>(new Map());
  useEffect(() => {
    allArticles().then(
      (all) => setArticles(new Map(all.map((a) => [a.id, a]))),
      () => undefined,
    );
  }, []);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState('');
  const load = async (after: string | null) => {
    try {
      const page = await api<Page<LogEntry>>(
        'GET',
        `/api/moderation/log?limit=50${after ? `&cursor=${encodeURIComponent(after)}` : ''}`,
      );
      setItems((list) => (after ? [...list, ...page.items] : page.items));
      setCursor(page.nextCursor);
    } catch (e) {
      setError(explain(e));
    }
  };
  useEffect(() => void load(null), []);
  return (
    <section aria-labelledby="log-title" class="panel">
      <h2 id="log-title">{t`Moderation log`}</h2>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t`When`}</th>
              <th scope="col">{t`Moderator`}</th>
              <th scope="col">{t`Action`}</th>
              <th scope="col">{t`Target`}</th>
              <th scope="col">{t`Reason`}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.id}>
                <td>
                  <time dateTime={e.at}>{timeAgo(e.at)}</time>
                </td>
                <td>{e.moderator ? (e.moderator.username ?? t`erased account`) : <em>{t`automatic`}</em>}</td>
                <td>{e.action.replace(/_/g, ' ')}</td>
                <td>
                  <LogTarget entry={e} article={articles.get(e.targetType === 'article' ? e.targetId : '')} />
                </td>
                <td>
                  {e.reasonCode?.replace(/_/g, ' ') ?? ''}
                  {e.note ? `: ${e.note}` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {cursor && (
        <button type="button" class="more" onClick={() => void load(cursor)}>
          {t`Load older entries`}
        </button>
      )}
    </section>
  );
}

function LogTarget({ entry, article }: { entry: LogEntry; article?: ArticleSummary }) {
  if (entry.targetType === 'comment') return <a href={`/comments/${entry.targetId}`}>{t`comment`}</a>;
  if (entry.targetType === 'article' && article)
    return <a href={`/articles/${encodeURIComponent(article.slug)}`}>“{article.title}”</a>;
  return <>{entry.targetType}</>;
}

// A list of moderation rules at `path`: read, added from a form's `fields`,
// removed by id (the word lists and the email-domain rules).
function useRuleList<Rule extends { id: string }>(path: string, fields: string[]) {
  const [rules, setRules] = useState<Rule[]>([]);
  const [error, setError] = useState('');
  const load = () =>
    api<{ items: Rule[] }>('GET', path).then(
      (r) => setRules(r.items),
      (e) => setError(explain(e)),
    );
  useEffect(() => void load(), [path]);

  const add = async (event: Event) => {
    event.preventDefault();
    const formEl = event.currentTarget as HTMLFormElement;
    const form = new FormData(formEl);
    setError('');
    try {
      await api('POST', path, Object.fromEntries(fields.map((name) => [name, field(form, name)])));
      formEl.reset();
      await load();
    } catch (e) {
      setError(explain(e));
    }
  };
  const remove = async (id: string) => {
    try {
      await api('DELETE', `${path}/${id}`);
      setRules((r) => r.filter((x) => x.id !== id));
    } catch (e) {
      setError(explain(e));
    }
  };
  return { rules, error, add, remove };
}

export function WordLists() {
  const { rules, error, add, remove } = useRuleList<WordRule>('/api/moderation/word-rules', ['pattern', 'action']);

  return (
    <section aria-labelledby="words-title" class="panel">
      <h2 id="words-title">{t`Word lists`}</h2>
      <p class="muted">{t`Banned words refuse a comment; suspect words hold it for review.`}</p>
      <form onSubmit={(e) => void add(e)} class="row">
        <label>
          {t`Word or phrase`} <input name="pattern" required maxLength={100} />
        </label>
        <label>
          {t`List`}{' '}
          <select name="action">
            <option value="suspect">{t`Suspect (hold for review)`}</option>
            <option value="ban">{t`Banned (refuse)`}</option>
          </select>
        </label>
        <button type="submit" class="primary">
          {t`Add word`}
        </button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <ul class="rules">
        {rules.map((r) => (
          <li key={r.id}>
            <code>{r.pattern}</code>{' '}
            <span class={`badge ${r.action === 'ban' ? 'danger' : 'warn'}`}>
              {r.action === 'ban' ? t`banned` : t`suspect`}
            </span>{' '}
            <button type="button" class="link" aria-label={t`Delete ${r.pattern}`} onClick={() => void remove(r.id)}>
              {t`Delete`}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

interface EmailDomainRule {
  id: string;
  domain: string;
  action: 'refuse' | 'premoderate';
}

// Domains whose addresses are refused at sign-up, or whose accounts are
// always premoderated (a rule covers subdomains too).
export function EmailDomains() {
  const { rules, error, add, remove } = useRuleList<EmailDomainRule>('/api/moderation/email-domains', [
    'domain',
    'action',
  ]);

  return (
    <section aria-labelledby="domains-title" class="panel">
      <h2 id="domains-title">{t`Email domains`}</h2>
      <p class="muted">
        {t`Refused: sign-ups with an address there (or under it) are turned away, and accounts that exist anyway are held for review. Premoderated: every comment of such accounts waits for review.`}
      </p>
      <form onSubmit={(e) => void add(e)} class="row">
        <label>
          {t`Domain`} <input name="domain" required maxLength={253} placeholder="throwaway.example" />
        </label>
        <label>
          {t`Rule`}{' '}
          <select name="action" aria-label={t`Rule`}>
            <option value="refuse">{t`Refuse at sign-up`}</option>
            <option value="premoderate">{t`Premoderate every comment`}</option>
          </select>
        </label>
        <button type="submit" class="primary">
          {t`Add domain`}
        </button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <ul class="rules" aria-label={t`Email-domain rules`}>
        {rules.map((r) => (
          <li key={r.id}>
            <code>{r.domain}</code>{' '}
            <span class={`badge ${r.action === 'refuse' ? 'danger' : 'warn'}`}>
              {r.action === 'refuse' ? t`refused` : t`premoderated`}
            </span>{' '}
            <button type="button" class="link" aria-label={t`Delete ${r.domain}`} onClick={() => void remove(r.id)}>
              {t`Delete`}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
