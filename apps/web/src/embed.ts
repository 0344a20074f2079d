// <script src="https://comments.example.com/embed.js" data-article="slug" async></script>
// renders the article's discussion in place, in a frame served by Rejoinder:
// the publisher's CSS and scripts and ours cannot touch each other. The frame
// reports its height, so it grows with the thread instead of scrolling.
// With data-sso-token="<JWT the publisher signed for its signed-in reader>",
// the reader is signed in on the thread too: the token goes to the frame by
// message once it is ready (never in its URL, so no log or referrer sees it).
// On the newsroom's own sites (ARTICLE_ORIGINS), data-article-id="<its id>"
// with data-url and data-title instead of data-article finds the article, or
// makes it on the page's first load; the server never fetches the page.
// data-lang="ru" sets the thread's language (else the page's own ?lang=,
// then the reader's setting, their browser's language, DEFAULT_LOCALE); the
// loader's own words (the frame's title, the note when there is no thread)
// follow data-lang, then ?lang=, then the browser's languages.
import words from 'virtual:embed-words';

(() => {
  const script = document.currentScript as HTMLScriptElement | null;
  if (!script) return;
  const host = script;
  const origin = new URL(script.src).origin;
  const data = script.dataset;
  const query = new URLSearchParams(location.search);

  // The closest catalogue to the first tag that has one: the exact tag, else its language.
  const tags = Object.keys(words);
  const closest = (tag: string): string | undefined =>
    tags.find((known) => known.toLowerCase() === tag.toLowerCase()) ??
    tags.find((known) => known.toLowerCase() === tag.split('-')[0].toLowerCase());
  const locale =
    [data.lang, query.get('lang'), ...navigator.languages].map((tag) => tag && closest(tag)).find(Boolean) ?? 'en';
  // A message in that language (English where it has none), placeholders filled in.
  const say = (descriptor: { id: string; message: string }, values: Record<string, string> = {}): string => {
    const compiled = words[locale]?.[descriptor.id] ?? descriptor.message;
    return typeof compiled === 'string'
      ? compiled
      : compiled.map((part) => (typeof part === 'string' ? part : (values[part[0]] ?? ''))).join('');
  };

  function mount(slug: string, title: string): void {
    const frame = document.createElement('iframe');
    const params = new URLSearchParams();
    const comment = query.get('comment');
    const lang = data.lang ?? query.get('lang');
    if (comment) params.set('comment', comment);
    if (lang) params.set('lang', lang);
    frame.src = `${origin}/embed/${encodeURIComponent(slug)}${params.size > 0 ? `?${params}` : ''}`;
    frame.title = title;
    frame.setAttribute('loading', 'lazy');
    frame.style.cssText = 'display:block;width:100%;min-height:320px;border:0;color-scheme:normal';
    host.after(frame);
    window.addEventListener('message', (event: MessageEvent<{ rejoinder?: string; height?: number }>) => {
      if (event.origin !== origin || event.source !== frame.contentWindow) return;
      if (event.data?.rejoinder === 'height' && typeof event.data.height === 'number')
        frame.style.height = `${Math.ceil(event.data.height)}px`;
      if (event.data?.rejoinder === 'ready' && data.ssoToken)
        frame.contentWindow?.postMessage({ rejoinder: 'sso', token: data.ssoToken }, origin);
    });
  }

  if (data.article) {
    mount(data.article, data.title ?? say(/*i18n*/ { id: 'embed.frame-title', message: 'Comments' }));
    return;
  }
  if (!data.articleId) return;
  const title = data.title ?? document.title;
  void fetch(`${origin}/api/embed/articles`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      externalId: data.articleId,
      url: data.url ?? location.href,
      ...(title.trim() ? { title: title.trim().slice(0, 300) } : {}),
    }),
  })
    .then(async (response) => {
      const body = (await response.json()) as { slug?: string };
      if (!response.ok || !body.slug) throw new Error(`${response.status}`);
      mount(body.slug, say(/*i18n*/ { id: 'embed.frame-title-of', message: 'Comments on {title}' }, { title }));
    })
    .catch(() => {
      const note = document.createElement('p');
      note.className = 'rejoinder-unavailable';
      // Marked with its language: on a page in another one, a screen reader pronounces it right.
      note.lang = locale;
      note.textContent = say(/*i18n*/ { id: 'embed.unavailable', message: 'Comments are not available on this page.' });
      host.after(note);
    });
})();
