import { describe as describeText, escapeHtml, renderHead, scriptJson } from './page-head.js';

describe('the page head', () => {
  it('escapes JSON for a script element: nothing in it closes the element or opens a comment', () => {
    const hostile = { title: '</script><script>alert(1)</script><!-- & \u2028\u2029' };
    const text = scriptJson(hostile);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(hostile);
  });

  it('escapes attribute values and text', () => {
    expect(escapeHtml(`"a" & 'b' <c>`)).toBe('&quot;a&quot; &amp; &#39;b&#39; &lt;c&gt;');
    const head = renderHead({ title: '<b>T</b>', description: '" onload="x', canonical: 'https://e.test/?a=1&b=2' });
    expect(head).toContain('<title>&lt;b&gt;T&lt;/b&gt;</title>');
    expect(head).toContain('content="&quot; onload=&quot;x"');
    expect(head).toContain('href="https://e.test/?a=1&amp;b=2"');
  });

  it('describes an article by its first words, cut at a word, entities decoded', () => {
    expect(describeText('<h1>Ports</h1><p>Ferries &amp; roads.</p>')).toBe('Ports Ferries & roads.');
    const long = describeText(`<p>${'word '.repeat(100)}</p>`);
    expect(long.length).toBeLessThanOrEqual(160);
    expect(long).toMatch(/^(word )+word…$/);
  });
});
