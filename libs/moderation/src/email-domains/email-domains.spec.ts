import { domainsOf, normaliseDomain } from './email-domains.service.js';

describe('email domains', () => {
  it('lists the address domain and every domain it is under', () => {
    expect(domainsOf('Troll@Mail.Example.CO.uk')).toEqual(['mail.example.co.uk', 'example.co.uk', 'co.uk']);
    expect(domainsOf('a@example.com')).toEqual(['example.com']);
    expect(domainsOf(null)).toEqual([]);
    expect(domainsOf('no-at-sign')).toEqual([]);
  });

  it('turns internationalised domains into their ASCII form', () => {
    expect(domainsOf('x@bücher.example')).toEqual(['xn--bcher-kva.example']);
    expect(normaliseDomain('Bücher.Example')).toBe('xn--bcher-kva.example');
  });

  it('accepts domains as moderators type them and refuses what is not one', () => {
    expect(normaliseDomain(' @Example.COM. ')).toBe('example.com');
    expect(normaliseDomain('sub.example.com')).toBe('sub.example.com');
    for (const bad of ['example', 'exa mple.com', '-bad.com', 'a..b', '', 'http://example.com/']) {
      expect(normaliseDomain(bad)).toBeNull();
    }
  });
});
