// <script src="https://comments.example.com/embed.js" data-article="slug" async></script>
// renders the article's discussion in place, in a frame served by Rejoinder:
// the publisher's CSS and scripts and ours cannot touch each other. The frame
// reports its height, so it grows with the thread instead of scrolling.
// With data-sso-token="<JWT the publisher signed for its signed-in reader>",
// the reader is signed in on the thread too: the token goes to the frame by
// message once it is ready (never in its URL, so no log or referrer sees it).
(() => {
  const script = document.currentScript as HTMLScriptElement | null;
  if (!script?.dataset.article) return;
  const origin = new URL(script.src).origin;
  const slug = script.dataset.article;
  const frame = document.createElement('iframe');
  const comment = new URLSearchParams(location.search).get('comment');
  frame.src = `${origin}/embed/${encodeURIComponent(slug)}${comment ? `?comment=${encodeURIComponent(comment)}` : ''}`;
  frame.title = script.dataset.title ?? 'Comments';
  frame.setAttribute('loading', 'lazy');
  frame.style.cssText = 'display:block;width:100%;min-height:320px;border:0;color-scheme:normal';
  script.after(frame);
  window.addEventListener('message', (event: MessageEvent<{ rejoinder?: string; height?: number }>) => {
    if (event.origin !== origin || event.source !== frame.contentWindow) return;
    if (event.data?.rejoinder === 'height' && typeof event.data.height === 'number')
      frame.style.height = `${Math.ceil(event.data.height)}px`;
    if (event.data?.rejoinder === 'ready' && script.dataset.ssoToken)
      frame.contentWindow?.postMessage({ rejoinder: 'sso', token: script.dataset.ssoToken }, origin);
  });
})();
