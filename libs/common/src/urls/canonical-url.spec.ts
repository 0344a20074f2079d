import { articleUrlKey, canonicalArticleUrl, InvalidArticleUrlError } from './canonical-url.js';

describe('canonicalArticleUrl', () => {
  it.each([
    ['HTTPS://Example.COM:443/news/story/', 'https://example.com/news/story'],
    ['http://example.com:80/a?b=2&a=1#comments', 'http://example.com/a?a=1&b=2'],
    ['https://example.com/a?utm_source=x&utm_medium=y&id=7&fbclid=abc&gclid=1', 'https://example.com/a?id=7'],
    ['https://user:pw@example.com/a', 'https://example.com/a'],
    ['https://example.com:8443/a/', 'https://example.com:8443/a'],
    ['  https://example.com/  ', 'https://example.com'],
  ])('%s -> %s', (input, expected) => {
    expect(canonicalArticleUrl(input)).toBe(expected);
  });

  it.each(['not a url', 'ftp://example.com/a', 'javascript:alert(1)', '/relative/path'])('refuses %s', (input) => {
    expect(() => canonicalArticleUrl(input)).toThrow(InvalidArticleUrlError);
  });
});

describe('articleUrlKey', () => {
  it('is the same for one page under http and https, with www, tracking and a fragment', () => {
    const keys = [
      'https://www.example.com/2015/08/24/op-ed/',
      'http://example.com/2015/08/24/op-ed',
      'https://EXAMPLE.com/2015/08/24/op-ed?utm_campaign=share#comment-3',
    ].map(articleUrlKey);
    expect(new Set(keys)).toEqual(new Set(['example.com/2015/08/24/op-ed']));
  });

  it('keeps what tells pages apart: path, query and a non-default port', () => {
    expect(articleUrlKey('https://example.com/a?page=2')).not.toBe(articleUrlKey('https://example.com/a'));
    expect(articleUrlKey('https://example.com/a')).not.toBe(articleUrlKey('https://example.com/b'));
    expect(articleUrlKey('https://example.com:8443/a')).toBe('example.com:8443/a');
    expect(articleUrlKey('https://example.com/')).toBe('example.com');
  });
});
