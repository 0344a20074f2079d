import { countLinks } from '../moderation.policy.js';
import { correction } from './spam-feedback.worker.js';

describe('what a decision tells the spam service', () => {
  it('sends only disagreements: approved spam is ham, rejected or removed ham is spam', () => {
    expect(correction('approve', 'spam')).toBe('ham');
    expect(correction('reject', 'ham')).toBe('spam');
    expect(correction('remove', 'ham')).toBe('spam');
    expect(correction('approve', 'ham')).toBeNull();
    expect(correction('reject', 'spam')).toBeNull();
    expect(correction('remove', 'spam')).toBeNull();
  });

  it('ignores decisions on comments that were never checked, and other actions', () => {
    expect(correction('approve', null)).toBeNull();
    for (const action of ['feature', 'pin', 'restore', 'ban', 'ghost_ban']) {
      expect(correction(action, 'spam')).toBeNull();
      expect(correction(action, 'ham')).toBeNull();
    }
  });
});

describe('countLinks', () => {
  it('counts the links in rendered HTML, and nothing that only mentions one', () => {
    expect(countLinks('<p>no links</p>')).toBe(0);
    expect(countLinks('<p><a href="https://a.example" rel="nofollow ugc noopener">a</a> <a\nhref="x">b</a></p>')).toBe(
      2,
    );
    expect(countLinks('<p><abbr>a</abbr> <code>&lt;a href&gt;</code></p>')).toBe(0);
  });
});
