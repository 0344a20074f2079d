import { jest } from '@jest/globals';
import { DomUtils, parseDocument } from 'htmlparser2';
import { renderArticleMarkdown, renderCommentMarkdown, renderCommentMarkdownFully } from './markdown-renderer.js';

// --- HTML checker -----------------------------------------------------------

type DomNode = ReturnType<typeof parseDocument>['children'][number];

interface Profile {
  tags: ReadonlySet<string>;
  attributes: Readonly<Record<string, readonly string[]>>;
}

const LINK_REL = 'nofollow ugc noopener';

// Kept separate from the renderer's own lists on purpose: widening an
// allowlist there must fail here until someone looks at it.
const COMMENT_PROFILE: Profile = {
  tags: new Set(['p', 'br', 'em', 'strong', 's', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a']),
  attributes: { a: ['href', 'title', 'rel'], ol: ['start'] },
};

const ARTICLE_PROFILE: Profile = {
  tags: new Set([
    'p',
    'br',
    'em',
    'strong',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'blockquote',
    'ul',
    'ol',
    'li',
    'a',
    'img',
  ]),
  attributes: { a: ['href', 'title', 'rel'], img: ['src', 'alt', 'title'], ol: ['start'] },
};

const FORBIDDEN_ELEMENTS = new Set([
  'script',
  'iframe',
  'object',
  'embed',
  'style',
  'svg',
  'math',
  'form',
  'meta',
  'base',
  'link',
  'frame',
  'frameset',
  'applet',
  'noscript',
  'template',
]);

// Besides src and anything ending in "href" (href, xlink:href).
const URL_ATTRIBUTES = new Set([
  'action',
  'formaction',
  'srcset',
  'poster',
  'background',
  'data',
  'cite',
  'ping',
  'lowsrc',
  'dynsrc',
  'longdesc',
]);

// Only absolute http(s)/mailto: the renderer refuses relative, fragment and
// protocol-relative URLs, so the checker does too.
const SAFE_URL = /^(?:https?|mailto):/;

function* elementsOf(
  nodes: readonly DomNode[],
): Generator<DomNode & { name: string; attribs: Record<string, string> }> {
  for (const node of nodes) {
    if (DomUtils.isTag(node)) yield node;
    if (DomUtils.hasChildren(node)) yield* elementsOf(node.children);
  }
}

// Parses with htmlparser2 (entities in attribute values are decoded, names
// lower-cased) and reports every breach of the security invariants; with a
// profile, also any tag or attribute outside it.
function findViolations(html: string, profile?: Profile): string[] {
  const violations: string[] = [];
  for (const element of elementsOf(parseDocument(html).children)) {
    const tag = element.name;
    if (FORBIDDEN_ELEMENTS.has(tag)) violations.push(`forbidden element <${tag}>`);
    if (profile && !profile.tags.has(tag)) violations.push(`element <${tag}> outside the allowlist`);
    for (const [name, value] of Object.entries(element.attribs)) {
      if (name.startsWith('on')) violations.push(`event handler ${name} on <${tag}>`);
      if (name === 'style') violations.push(`style attribute on <${tag}>`);
      if (name === 'src' || name.endsWith('href') || URL_ATTRIBUTES.has(name)) {
        const normalised = value.toLowerCase().replace(/[\s\u0000-\u001f\u007f-\u009f]/g, '');
        if (!SAFE_URL.test(normalised)) violations.push(`unsafe URL ${name}=${JSON.stringify(value)} on <${tag}>`);
      }
      if (profile && !(profile.attributes[tag] ?? []).includes(name)) {
        violations.push(`attribute ${name} on <${tag}> outside the allowlist`);
      }
    }
    if (tag === 'a' && element.attribs.rel !== LINK_REL) violations.push(`<a> without rel="${LINK_REL}"`);
    if ('target' in element.attribs) violations.push(`target attribute on <${tag}>`);
  }
  return violations;
}

function elementNames(html: string): string[] {
  return [...elementsOf(parseDocument(html).children)].map((element) => element.name);
}

describe('findViolations (the checker itself)', () => {
  it('accepts clean markup', () => {
    expect(
      findViolations(`<p><a href="https://example.com/" rel="${LINK_REL}">x</a> <em>y</em></p>`, COMMENT_PROFILE),
    ).toEqual([]);
  });

  it.each([
    ['script element', '<p>x</p><script>alert(1)</script>'],
    ['event handler', '<img src="https://example.com/x.png" onerror="alert(1)">'],
    ['entity-encoded javascript: href', `<a href="&#x6A;avascript:alert(1)" rel="${LINK_REL}">x</a>`],
    ['mixed case, tab and leading space in scheme', `<a href=" JaVa&#x09;ScRiPt:alert(1)" rel="${LINK_REL}">x</a>`],
    ['data: href', `<a href="data:text/html,<script>alert(1)</script>" rel="${LINK_REL}">x</a>`],
    ['relative src', '<img src="x">'],
    ['svg with xlink:href', '<svg><a xlink:href="javascript:alert(1)">x</a></svg>'],
    ['style attribute', '<p style="background:url(x)">x</p>'],
    ['missing rel', '<a href="https://example.com/">x</a>'],
    ['target attribute', `<a href="https://example.com/" rel="${LINK_REL}" target="_blank">x</a>`],
  ])('reports %s', (_label, html) => {
    expect(findViolations(html).length).toBeGreaterThan(0);
  });

  it('reports tags and attributes outside a profile', () => {
    expect(findViolations('<table><tr><td title="t">x</td></tr></table>', COMMENT_PROFILE)).toEqual(
      expect.arrayContaining([
        'element <table> outside the allowlist',
        'attribute title on <td> outside the allowlist',
      ]),
    );
  });
});

// --- Happy paths ------------------------------------------------------------

describe('renderCommentMarkdown', () => {
  it('renders emphasis, strong, strikethrough and inline code', () => {
    expect(renderCommentMarkdown('*em* **strong** ~~gone~~ `a < b`')).toBe(
      '<p><em>em</em> <strong>strong</strong> <s>gone</s> <code>a &lt; b</code></p>\n',
    );
  });

  it('renders bullet and ordered lists, keeping the start number', () => {
    expect(renderCommentMarkdown('- a\n- b\n\n3. c\n4. d')).toBe(
      '<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n<ol start="3">\n<li>c</li>\n<li>d</li>\n</ol>\n',
    );
  });

  it('renders fenced and indented code blocks without a language class', () => {
    expect(renderCommentMarkdown('```js\nif (a < b) {}\n```')).toBe('<pre><code>if (a &lt; b) {}\n</code></pre>\n');
    expect(renderCommentMarkdown('    indented <b>\n')).toBe('<pre><code>indented &lt;b&gt;\n</code></pre>\n');
  });

  it('renders blockquotes and turns single newlines into line breaks', () => {
    expect(renderCommentMarkdown('> quoted\n> line')).toBe('<blockquote>\n<p>quoted<br />\nline</p>\n</blockquote>\n');
  });

  it('autolinks bare URLs with the rel attribute', () => {
    expect(renderCommentMarkdown('see https://example.com/a?b=1&c=2 now')).toBe(
      `<p>see <a href="https://example.com/a?b=1&amp;c=2" rel="${LINK_REL}">https://example.com/a?b=1&amp;c=2</a> now</p>\n`,
    );
  });

  it('renders mailto links, explicit and autolinked', () => {
    expect(renderCommentMarkdown('[write](mailto:desk@example.com) or me@example.com')).toBe(
      `<p><a href="mailto:desk@example.com" rel="${LINK_REL}">write</a> or ` +
        `<a href="mailto:me@example.com" rel="${LINK_REL}">me@example.com</a></p>\n`,
    );
  });

  it('keeps a link title but forces rel', () => {
    expect(renderCommentMarkdown('[x](https://example.com "Title")')).toBe(
      `<p><a href="https://example.com" title="Title" rel="${LINK_REL}">x</a></p>\n`,
    );
  });

  // Exact output: the refusal must come from markdown-it's validateLink (the
  // source stays as typed), not only from the sanitiser unwrapping the link.
  it('refuses relative, fragment, protocol-relative, ftp and script links, leaving the source as text', () => {
    const source = '[a](/x) [b](#c) [d](//example.com) [e](ftp://example.com) [f](javascript:alert(1)) //example.com';
    expect(renderCommentMarkdown(source)).toBe(`<p>${source}</p>\n`);
    expect(renderArticleMarkdown(source)).toBe(`<p>${source}</p>\n`);
  });

  it('renders headings, images, tables and rules as plain text', () => {
    const source = '# Title\n\n![alt](https://example.com/a.png)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n---';
    const html = renderCommentMarkdown(source);
    expect(new Set(elementNames(html))).toEqual(new Set(['p', 'br', 'a']));
    expect(html).toContain('<p># Title</p>');
    expect(html).toContain('<p>---</p>');
  });

  it('stays within the comment allowlist on a mixed document', () => {
    const source =
      '**Hi** _there_\n\n> quote with [link](https://example.com)\n\n1. one\n2. `two`\n\n```\ncode\n```\n\nhttp://example.org';
    expect(findViolations(renderCommentMarkdown(source), COMMENT_PROFILE)).toEqual([]);
  });

  it('is deterministic', () => {
    const source = '*a* https://example.com <b>x</b>\n\n- [y](mailto:y@example.com)';
    expect(renderCommentMarkdown(source)).toBe(renderCommentMarkdown(source));
  });
});

// Plain prose skips both parsers: it must come out exactly as both layers make it.
describe('renderCommentMarkdown on plain prose', () => {
  const corpus = [
    'Plain words and nothing else',
    'Comment 12 from the write benchmark. lorem ipsum lorem ipsum lo',
    "It's (mostly) true; isn't it? Yes - and no.",
    'Ends with a full stop.',
    'See example.com or a.b today',
    'Version 3.5 of it',
    'Trailing space ',
    'Two  spaces inside',
    'A line\nand another',
    '1. not plain',
    '- not plain',
    '> not plain',
    'x_y_z and *a*',
    'Mail me@example.com now',
    'Visit https://example.com now',
    'Ampersand & co',
    'Quote "this"',
    'Accented café',
    'www.example.com is a host',
    'Hello.World',
    'Tab\there',
  ];

  it.each(corpus)('renders %j as both layers do', (source) => {
    expect(renderCommentMarkdown(source)).toBe(renderCommentMarkdownFully(source));
  });

  it('renders random strings of the plain alphabet as both layers do', () => {
    const alphabet = "abcXYZ019 ,;?'()-.";
    let seed = 27;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (let i = 0; i < 3000; i += 1) {
      let source = 'ABCabc'[next() % 6];
      const length = next() % 40;
      for (let j = 0; j < length; j += 1) source += alphabet[next() % alphabet.length];
      expect([source, renderCommentMarkdown(source)]).toEqual([source, renderCommentMarkdownFully(source)]);
    }
  });
});

describe('renderArticleMarkdown', () => {
  it('renders headings, paragraphs, emphasis, lists and blockquotes', () => {
    expect(renderArticleMarkdown('# Title\n\nSub\n---\n\nSome *em* and **strong**.\n\n- a\n\n> q')).toBe(
      '<h1>Title</h1>\n<h2>Sub</h2>\n<p>Some <em>em</em> and <strong>strong</strong>.</p>\n' +
        '<ul>\n<li>a</li>\n</ul>\n<blockquote>\n<p>q</p>\n</blockquote>\n',
    );
  });

  it('renders images and links, links with rel', () => {
    expect(renderArticleMarkdown('![A chart](https://cdn.example.com/c.png "Chart") [src](https://example.com)')).toBe(
      '<p><img src="https://cdn.example.com/c.png" alt="A chart" title="Chart" /> ' +
        `<a href="https://example.com" rel="${LINK_REL}">src</a></p>\n`,
    );
  });

  it('does not autolink bare URLs, and leaves tables and code as text', () => {
    const html = renderArticleMarkdown('https://example.com\n\n| a |\n|---|\n| 1 |\n\n```\nx\n```');
    expect(new Set(elementNames(html))).toEqual(new Set(['p']));
  });

  it('refuses non-http(s) image sources', () => {
    // markdown-it's default validateLink would let data:image through.
    expect(renderArticleMarkdown('![x](data:image/png;base64,AAAA)')).toBe('<p>![x](data:image/png;base64,AAAA)</p>\n');
    expect(renderArticleMarkdown('![x](/a.png)')).toBe('<p>![x](/a.png)</p>\n');
    // mailto: passes the link check, so here the sanitiser removes the image.
    expect(elementNames(renderArticleMarkdown('![x](mailto:a@example.com)'))).toEqual(['p']);
  });
});

// --- Raw HTML ---------------------------------------------------------------

describe('raw HTML', () => {
  it('shows raw HTML in a comment as escaped text, not markup', () => {
    const source = '<b>bold</b> <img src=x onerror=alert(1)> <a href="/x">x</a>';
    const html = renderCommentMarkdown(source);
    expect(html).toBe(
      '<p>&lt;b&gt;bold&lt;/b&gt; &lt;img src=x onerror=alert(1)&gt; &lt;a href="/x"&gt;x&lt;/a&gt;</p>\n',
    );
    const document = parseDocument(html);
    expect(elementNames(html)).toEqual(['p']);
    expect(DomUtils.textContent(document).trim()).toBe(source);
  });

  it('escapes block-level raw HTML in comments and articles alike', () => {
    const source = '<div>\n<script>alert(1)</script>\n</div>';
    for (const html of [renderCommentMarkdown(source), renderArticleMarkdown(source)]) {
      expect(elementNames(html).filter((name) => name !== 'br')).toEqual(['p']);
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
  });
});

// --- XSS corpus -------------------------------------------------------------

const XSS_PAYLOADS: [string, string][] = [
  ['script tag', '<script>alert(1)</script>'],
  ['uppercase script with src', '<SCRIPT SRC=https://evil.example/x.js></SCRIPT>'],
  ['split script tag', '<scr<script>ipt>alert(1)</scr</script>ipt>'],
  ['img onerror', '<img src=x onerror=alert(1)>'],
  ['img with tab-split javascript src', '<IMG SRC="jav&#x09;ascript:alert(1);">'],
  ['svg onload', '<svg onload=alert(1)>'],
  ['svg script', '<svg><script>alert(1)</script></svg>'],
  ['svg xlink:href', '<svg><a xlink:href="javascript:alert(1)"><text x="0" y="20">x</text></a></svg>'],
  ['math xlink:href', '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>'],
  ['math/style mXSS', '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>'],
  ['iframe', '<iframe src="javascript:alert(1)"></iframe>'],
  ['iframe srcdoc', '<iframe srcdoc="<script>alert(1)</script>"></iframe>'],
  ['object', '<object data="javascript:alert(1)"></object>'],
  ['embed', '<embed src="javascript:alert(1)">'],
  ['style element', '<style>body{background:url("javascript:alert(1)")}</style>'],
  ['style attribute', '<p style="background:url(javascript:alert(1))">x</p>'],
  ['form action', '<form action="javascript:alert(1)"><button>go</button></form>'],
  ['button formaction', '<button formaction="javascript:alert(1)">x</button>'],
  ['meta refresh', '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'],
  ['base href', '<base href="javascript:alert(1)//">'],
  ['details ontoggle', '<details open ontoggle=alert(1)>'],
  ['raw anchor javascript', '<a href="javascript:alert(1)">x</a>'],
  ['raw anchor hex entity', '<a href="&#x6A;avascript:alert(1)">x</a>'],
  ['raw anchor in markdown emphasis', '**<a href="javascript:alert(1)">x</a>**'],
  ['markdown javascript link', '[x](javascript:alert(1))'],
  ['markdown mixed-case javascript', '[x](JaVaScRiPt:alert(1))'],
  ['markdown decimal entity', '[x](&#106;avascript:alert(1))'],
  ['markdown hex entities', '[x](&#x6A;&#x61;vascript:alert(1))'],
  ['markdown named entity colon', '[x](javascript&colon;alert(1))'],
  ['markdown tab entity in scheme', '[x](java&Tab;script:alert(1))'],
  ['markdown newline entity in scheme', '[x](jav&#x0A;ascript:alert(1))'],
  ['markdown null byte in scheme', '[x](java\u0000script:alert(1))'],
  ['markdown control char in scheme', '[x](java\u0001script:alert(1))'],
  ['markdown leading control char', '[x](\u0001javascript:alert(1))'],
  ['markdown javascript with comment-newline', '[x](javascript://%0aalert(1))'],
  ['markdown angle-bracket destination', '[x](<javascript:alert(1)>)'],
  ['markdown data: base64 html', '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)'],
  ['markdown data: image', '[x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)'],
  ['markdown vbscript', '[x](vbscript:msgbox(1))'],
  ['markdown file scheme', '[x](file:///etc/passwd)'],
  ['reference-style javascript link', '[x][r]\n\n[r]: javascript:alert(1)'],
  ['reference-style entity-encoded link', '[x][r]\n\n[r]: &#x6A;avascript:alert(1) "t"'],
  ['autolink javascript', '<javascript:alert(1)>'],
  ['autolink vbscript', '<VBSCRIPT:msgbox(1)>'],
  ['autolink data', '<data:text/html,<script>alert(1)</script>>'],
  ['attribute breakout in destination', '[x](http://a.com" onmouseover="alert(1))'],
  ['attribute breakout in title', '[x](https://a.com "t\\" onmouseover=\\"alert(1)")'],
  ['attribute breakout via angle destination', '[x](<https://a.com" onmouseover="alert(1)>)'],
  ['markdown image javascript', '![x](javascript:alert(1))'],
  ['markdown image data svg', '![x](data:image/svg+xml,<svg onload=alert(1)>)'],
  ['markdown image attribute breakout', '![x](https://a.com/x.png" onerror="alert(1))'],
  ['markdown image with html alt', '![<img src=x onerror=alert(1)>](https://a.com/x.png)'],
  ['html inside link text with bad href', '[<img src=x onerror=alert(1)>](javascript:alert(1))'],
  ['link text that is a link', '[[x](javascript:alert(1))](https://a.com)'],
  ['backtick-wrapped script', '`<script>alert(1)</script>`'],
  ['fence that closes code early', '```\n</code></pre><script>alert(1)</script>\n```'],
  ['fence info string breakout', '```"><script>alert(1)</script>\nx\n```'],
  ['unbalanced backticks around html', '``<img src=x onerror=alert(1)>` text'],
  ['html comment smuggling', '<!--><script>alert(1)</script>-->'],
  ['noscript mXSS', '<noscript><p title="</noscript><img src=x onerror=alert(1)>">'],
  ['bare javascript: text', 'javascript:alert(1) and http://ok.example'],
  ['linkified URL followed by handler text', 'http://a.com/"onmouseover="alert(1)"'],
  ['protocol-relative link', '[x](//evil.example/x)'],
  ['fullwidth scheme letters', '[x](ｊａｖａｓｃｒｉｐｔ:alert(1))'],
];

describe('XSS corpus', () => {
  it('has at least 25 payloads', () => {
    expect(XSS_PAYLOADS.length).toBeGreaterThanOrEqual(25);
  });

  describe.each([
    ['comment', renderCommentMarkdown, COMMENT_PROFILE],
    ['article', renderArticleMarkdown, ARTICLE_PROFILE],
  ] as const)('%s renderer', (_profileName, render, profile) => {
    it.each(XSS_PAYLOADS)('neutralises %s', (_label, payload) => {
      const html = render(payload);
      expect(findViolations(html, profile)).toEqual([]);
    });
  });
});

// --- Sanitiser layer alone --------------------------------------------------

// Loads a second copy of the renderer whose markdown-it passes its input
// through untouched, so raw HTML reaches sanitize-html directly: the second
// line of defence must hold by itself.
describe('sanitiser layer with markdown-it bypassed', () => {
  let sanitiseComment: (html: string) => string;
  let sanitiseArticle: (html: string) => string;

  beforeAll(async () => {
    class PassThroughMarkdown {
      enable(): this {
        return this;
      }
      validateLink(): boolean {
        return true;
      }
      render(source: string): string {
        return source;
      }
    }
    jest.unstable_mockModule('markdown-it', () => ({ default: PassThroughMarkdown }));
    await jest.isolateModulesAsync(async () => {
      const isolated = await import('./markdown-renderer.js');
      sanitiseComment = isolated.renderCommentMarkdown;
      sanitiseArticle = isolated.renderArticleMarkdown;
    });
  });

  it('really bypasses markdown-it', () => {
    expect(sanitiseComment('<p>*not emphasis*</p>')).toBe('<p>*not emphasis*</p>');
  });

  it('rebuilds links: forced rel, no target, handlers, style or class', () => {
    expect(
      sanitiseComment(
        '<a href="HTTPS://example.com/" target="_blank" rel="opener" onclick="x()" style="a" class="b">ok</a>',
      ),
    ).toBe(`<a href="HTTPS://example.com/" rel="${LINK_REL}">ok</a>`);
  });

  it('unwraps links with a refused URL, keeping their text', () => {
    const html = sanitiseComment(
      '<p><a href="&#x6A;avascript:alert(1)">a</a> <a href=" java&#x09;script:alert(1)">b</a> <a href="/rel">c</a> ' +
        '<a href="//evil.example">d</a> <a href="data:text/html,x">e</a> <a href="https://ok.example/">f</a></p>',
    );
    expect(html).toBe(`<p>a b c d e <a href="https://ok.example/" rel="${LINK_REL}">f</a></p>`);
  });

  it('drops images without an http(s) source and strips extra image attributes', () => {
    expect(
      sanitiseArticle(
        '<img src="javascript:alert(1)"><img src="mailto:a@example.com"><img src="data:image/png;base64,AA">' +
          '<img src="https://cdn.example/x.png" alt="x" onerror="alert(1)" width="1" srcset="javascript:alert(1) 1x"><p>after</p>',
      ),
    ).toBe('<img src="https://cdn.example/x.png" alt="x" /><p>after</p>');
    expect(elementNames(sanitiseComment('<img src="https://cdn.example/x.png">'))).toEqual([]);
  });

  it('drops code classes and elements outside the profile', () => {
    expect(sanitiseComment('<pre><code class="language-js">x</code></pre><table><tr><td>t</td></tr></table>')).toBe(
      '<pre><code>x</code></pre>t',
    );
    expect(sanitiseArticle('<h2 id="x">T</h2><pre><code>x</code></pre>')).toBe('<h2>T</h2>x');
  });

  it.each(XSS_PAYLOADS)('neutralises %s as raw HTML in both profiles', (_label, payload) => {
    expect(findViolations(sanitiseComment(payload), COMMENT_PROFILE)).toEqual([]);
    expect(findViolations(sanitiseArticle(payload), ARTICLE_PROFILE)).toEqual([]);
  });
});
