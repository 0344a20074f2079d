import { articlePassages, makeAnchor, relocate } from './passages.js';

describe('article passages', () => {
  it('are the top-level blocks, as plain text with white space collapsed', () => {
    const passages = articlePassages(
      '# Title\n\nOne *two*\nthree [link](https://example.com).\n\n> quoted\n> more\n\n- a\n- b',
    );
    expect(passages).toEqual(['Title', 'One two three link.', 'quoted more', 'a b']);
  });
});

describe('text quote anchors', () => {
  const passages = ['Intro.', 'Both regimes rely on the army and on fear of the army.', 'Fear again.'];

  it('keep the quote with its context', () => {
    expect(makeAnchor(passages, 1, ' the  army ')).toEqual({
      paragraph: 1,
      quote: 'the army',
      prefix: 'Both regimes rely on ',
      suffix: ' and on fear of the army.',
    });
    expect(makeAnchor(passages, 3, 'army')).toBe('no-paragraph');
    expect(makeAnchor(passages, 0, 'army')).toBe('not-in-paragraph');
  });

  it('are found again after an edit: by context first, then nearest the old place', () => {
    const anchor = makeAnchor(passages, 2, 'Fear') as Exclude<ReturnType<typeof makeAnchor>, string>;
    const edited = [
      'New lead.',
      'Intro.',
      'Both regimes rely on the army and on fear of the army.',
      'Fear again, and more.',
    ];
    expect(relocate(edited, anchor)).toBe(3);
    const second = makeAnchor(passages, 1, 'the army') as Exclude<ReturnType<typeof makeAnchor>, string>;
    // The first occurrence, whose context still matches, wins over the second.
    expect(relocate(edited, second)).toBe(2);
    expect(relocate(['Nothing left.'], second)).toBeNull();
  });
});
