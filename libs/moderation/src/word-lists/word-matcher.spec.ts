import { describe, expect, it } from '@jest/globals';
import { normalizeForMatching, WordMatcher, type WordRule, type WordRuleAction } from './word-matcher.js';

function rule(id: string, pattern: string, action: WordRuleAction = 'ban'): WordRule {
  return { id, pattern, action };
}

// One list for most tests: assertions compare the full list of matched ids, so
// a rule matching where it should not shows up as well.
const RULES: WordRule[] = [
  rule('spam', 'spam', 'suspect'),
  rule('ass', 'ass'),
  rule('cunt', 'cunt'),
  rule('sex', 'sex', 'suspect'),
  rule('tit', 'tit'),
  rule('hell', 'hell', 'suspect'),
  rule('shit', 'shit'),
  rule('kill', 'kill'),
  rule('boob', 'boob'),
  rule('god', 'god', 'suspect'),
  rule('bot', 'bot', 'suspect'),
  rule('rapist', 'rapist'),
  rule('buy-followers', 'buy followers', 'suspect'),
  rule('lose', 'lose', 'suspect'),
  rule('eat', 'eat', 'suspect'),
  rule('sos', 'sos', 'suspect'),
  rule('1488', '1488'),
];

const matcher = new WordMatcher(RULES);
const ids = (text: string, m: WordMatcher = matcher): string[] => m.match(text).map((hit) => hit.ruleId);

describe('normalizeForMatching', () => {
  it.each([
    ['SPAM Spam sPaM', 'spam spam spam'],
    ['späm SPÀM ŝpâm', 'spam spam spam'],
    ['ＳＰＡＭ', 'spam'], // full-width
    ['𝐬𝐩𝐚𝐦 𝓈𝓅𝒶𝓂 ⓢⓟⓐⓜ', 'spam spam spam'], // mathematical and circled letters
    ['ﬁne Straße Ærø łódź', 'fine strasse aero lodz'],
    ['sp\u200bam sp\u00adam sp\u2060am \ufeffspam', 'spam spam spam spam'], // zero-width space, soft hyphen, word joiner, BOM
    ['  Buy!!   FOLLOWERS...\n\t now ', 'buy followers now'],
    ['s.p-a_m*', 's p a m'],
    ['Spam™ rocks', 'spam rocks'],
  ])('folds %j to %j', (text, expected) => {
    expect(normalizeForMatching(text)).toBe(expected);
  });

  it('folds look-alike Cyrillic and Greek letters inside a Latin word only', () => {
    // "ѕ" and "р" are Cyrillic, "ο" is Greek; the Russian and Greek words stay as they are.
    expect(normalizeForMatching('ѕрam bοt сор привет λόγος')).toBe('spam bot сор привет λογος');
  });

  it('leaves repeated letters and digits alone (they are handled per token when matching)', () => {
    expect(normalizeForMatching('Classy sp4m in 2015, spaaam')).toBe('classy sp4m in 2015 spaaam');
  });

  it('returns an empty string for text without letters or digits', () => {
    expect(normalizeForMatching(' ... *** !!! ')).toBe('');
  });
});

describe('WordMatcher: what it catches', () => {
  it.each([
    'spam',
    'SPAM',
    'Spam',
    'späm',
    'SPÀM',
    'ＳＰＡＭ',
    '𝐬𝐩𝐚𝐦',
    'sp\u200bam',
    'ѕрam', // Cyrillic ѕ and р
  ])('case, accents, compatibility forms: %j', (text) => {
    expect(ids(text)).toEqual(['spam']);
  });

  it.each([
    'spam at the start',
    'at the end: spam',
    'at the end with punctuation: spam.',
    '(spam)',
    '"spam", she said',
    '¿spam?',
    'spam!!!',
    '#spam',
    '@spam',
    'line one\nspam\nline three',
  ])('at the edges of the text and around punctuation: %j', (text) => {
    expect(ids(text)).toEqual(['spam']);
  });

  it.each([
    '**spam**',
    '_spam_',
    '~~spam~~',
    '`spam`',
    '> spam',
    '# spam',
    '- spam',
    '[cheap spam](https://example.com/x)',
    '<spam>',
  ])('inside Markdown: %j', (text) => {
    expect(ids(text)).toEqual(['spam']);
  });

  it.each(['spaaaam', 'sppaamm', 'SSSPAM', 'spammmm', 'Spaaaaaaaaaaaaaaaam'])('repeated letters: %j', (text) => {
    expect(ids(text)).toEqual(['spam']);
  });

  it.each([
    's.p.a.m',
    's p a m',
    's-p-a-m',
    's_p_a_m',
    's*p*a*m',
    's/p/a/m',
    's. p. a. m.',
    's , p , a , m',
    'S.p.A.a.M',
    'S p A a a M',
    's_p-a.m',
  ])('letters split by separators: %j', (text) => {
    expect(ids(text)).toEqual(['spam']);
  });

  it.each(['sp.am', 'sp_am', 'sp*am', 'spa-m'])('a word split by a separator without whitespace: %j', (text) => {
    expect(ids(text)).toEqual(['spam']);
  });

  it('spelled-out letters inside a sentence', () => {
    expect(ids('this is s p a m, really')).toEqual(['spam']);
    expect(ids('you are a c u n t')).toEqual(['cunt']); // the word "a" before the letters
    expect(ids("I'm s p a m")).toEqual(['spam']); // the m of "I'm" is not a spelled letter
    expect(ids('s 3 x')).toEqual(['sex']);
  });

  it.each([
    ['sp4m', 'spam'],
    ['5pam', 'spam'],
    ['$pam', 'spam'],
    ['sp@m', 'spam'],
    ['$p@m', 'spam'],
    ['s.p.4.m', 'spam'],
    ['s p @ m', 'spam'],
    ['a$$', 'ass'],
    ['h3ll', 'hell'],
    ['he11', 'hell'], // 1 read as l
    ['sh1t', 'shit'], // 1 read as i
    ['5h1t', 'shit'],
    ['sh!t', 'shit'],
    ['k1ll', 'kill'],
    ['b00b', 'boob'],
    ['t1t', 'tit'],
    ['7it', 'tit'],
    ['s3x', 'sex'],
    ['lo5e', 'lose'],
  ])('leetspeak: %j reads as %j', (text, id) => {
    expect(ids(text)).toEqual([id]);
  });

  it('a rule written with leetspeak or accents matches the plain word, and upper case is irrelevant', () => {
    const m = new WordMatcher([rule('a', '$pam'), rule('b', 'SH1T'), rule('c', 'Gödel')]);
    expect(ids('spam', m)).toEqual(['a']);
    expect(ids('pam', m)).toEqual([]); // "$pam" is one word, not "pam"
    expect(ids('shit', m)).toEqual(['b']);
    expect(ids('godel', m)).toEqual(['c']);
  });

  it('numbers in a rule match literally', () => {
    expect(ids('1488')).toEqual(['1488']);
    expect(ids('14889 and 148 8')).toEqual([]);
  });
});

describe('WordMatcher: what it leaves alone', () => {
  it.each([
    'Scunthorpe United won',
    'SCUNTHORPE',
    'Penistone and Scunthorpe',
    'Essex',
    'Sussex and Middlesex',
    'a class act',
    'the assistant manager',
    'a passage from the book',
    'bass, mass, brass, assess',
    'the title of the petition',
    'titan and constitution',
    'hello, shell, shellfish, Othello',
    'a seashell',
    'sextant and sexton', // "sex" inside a longer word
    'spammer spams spammy', // inflections are their own words (add them as rules)
  ])('word boundaries: %j', (text) => {
    expect(ids(text)).toEqual([]);
  });

  it.each(['is pam here?', 'this pam', 'i spa me', 'Cu Nt', 'sp am', 'bo ob'])(
    'words split at spaces stay separate words: %j',
    (text) => {
      expect(ids(text)).toEqual([]);
    },
  );

  it('"the rapist", "therapist" and "rapist" are three different things', () => {
    expect(ids('see a therapist')).toEqual([]);
    expect(ids('the rapist was sentenced')).toEqual(['rapist']);
    const m = new WordMatcher([rule('therapist', 'therapist'), rule('the-rapist', 'the rapist')]);
    expect(ids('the rapist', m)).toEqual(['the-rapist']);
    expect(ids('therapist', m)).toEqual(['therapist']);
  });

  it.each([
    'In 1053, 347 people sent 505 messages', // would read "lose", "eat", "sos"
    'the A55 and the M5 were closed', // "a55" has more digits than letters
    'a 4x4 on the 5th, 3pm',
    'call 0800 555 7575',
    'in 2015, 2016 and 1999',
    '1 2 3 4 5',
  ])('numbers are not read as leetspeak: %j', (text) => {
    expect(ids(text)).toEqual([]);
  });

  it.each([
    ['good', 'god'],
    ['boot', 'bot'],
    ['bob', 'boob'], // the rule needs its double o
    ['spamm', 'spam'], // one doubled letter is spelling, not evasion (trade-off, see the header)
  ])('one doubled letter does not make %j match the rule %j', (text) => {
    expect(ids(text)).toEqual([]);
  });

  it('clear stretching still matches: runs of three, two doubled runs, spelled-out letters', () => {
    expect(ids('booob')).toEqual(['boob']);
    expect(ids('boooooob')).toEqual(['boob']);
    expect(ids('bbooobb')).toEqual(['boob']);
    expect(ids('goooood')).toEqual(['god']); // the accepted cost of catching stretching
    expect(ids('b o o t')).toEqual(['bot']);
  });

  it('contractions do not feed spelled-out letters', () => {
    const m = new WordMatcher([rule('t-s', 'ts'), rule('dont', 'dont'), rule('m-s', 'ms')]);
    // "don't" glued is "dont"; "t" and "s" of "don't" / "it's" never join into "ts".
    expect(ids("don't stop, it's fine", m)).toEqual(['dont']);
    expect(ids("I'm s", m)).toEqual([]);
  });

  it('a Russian word is not read through the look-alike table', () => {
    const m = new WordMatcher([rule('cop', 'cop')]);
    expect(ids('сор', m)).toEqual([]); // all Cyrillic
    expect(ids('соp', m)).toEqual(['cop']); // Latin p: mixed script, folded
  });

  it('returns [] for clean, empty and punctuation-only text', () => {
    expect(matcher.match('A perfectly civil comment about the council budget.')).toEqual([]);
    expect(matcher.match('')).toEqual([]);
    expect(matcher.match('   ...!!!   ')).toEqual([]);
  });
});

describe('WordMatcher: phrases', () => {
  it.each([
    'buy followers',
    'BUY   followers!!',
    'buy-followers',
    'buy_followers',
    'Buy\nfollowers',
    'want to buy followers cheap?',
    'buy f0ll0wers',
    'buuuy folllowers',
    'b u y followers',
    '**buy** *followers*',
  ])('matches consecutive words: %j', (text) => {
    expect(ids(text)).toEqual(['buy-followers']);
  });

  it.each(['buy more followers', 'followers buy', 'buy', 'followers', 'buyfollowers', 'buy followerships'])(
    'does not match %j',
    (text) => {
      expect(ids(text)).toEqual([]);
    },
  );

  it('matches a phrase whose words repeat the first word', () => {
    const m = new WordMatcher([rule('ha', 'ha ha ha', 'suspect')]);
    expect(ids('ha ha', m)).toEqual([]);
    expect(ids('well ha ha ha ha', m)).toEqual(['ha']);
  });
});

describe('WordMatcher: results', () => {
  const list: WordRule[] = [
    rule('s1', 'cheap', 'suspect'),
    rule('b1', 'scam', 'ban'),
    rule('s2', 'click here', 'suspect'),
    rule('b2', 'fraud', 'ban'),
    rule('s3', 'unused', 'suspect'),
  ];
  const m = new WordMatcher(list);

  it('lists banned rules first, each group in the order given, with the pattern as written', () => {
    expect(m.match('Cheap! Click here: total FRAUD, a scam')).toEqual([
      { ruleId: 'b1', action: 'ban', pattern: 'scam' },
      { ruleId: 'b2', action: 'ban', pattern: 'fraud' },
      { ruleId: 's1', action: 'suspect', pattern: 'cheap' },
      { ruleId: 's2', action: 'suspect', pattern: 'click here' },
    ]);
  });

  it('reports a rule once however often and however it matches', () => {
    expect(ids('scam, s c a m, sc.am, 5cam, SCAM, scaaam', m)).toEqual(['b1']);
  });

  it('reports several rules from one word list', () => {
    expect(ids('hell, what a load of spam and shit')).toEqual(['shit', 'spam', 'hell']);
  });

  it('returns fresh results each call', () => {
    const first = m.match('scam');
    first[0].ruleId = 'changed';
    first.push({ ruleId: 'x', action: 'ban', pattern: 'x' });
    expect(m.match('scam')).toEqual([{ ruleId: 'b1', action: 'ban', pattern: 'scam' }]);
  });

  it('does not depend on the caller keeping the rules array unchanged', () => {
    const rules = [rule('r', 'spam')];
    const own = new WordMatcher(rules);
    rules[0].pattern = 'other';
    rules.push(rule('r2', 'ham'));
    expect(own.match('spam and ham')).toEqual([{ ruleId: 'r', action: 'ban', pattern: 'spam' }]);
  });

  it('an empty list matches nothing', () => {
    expect(new WordMatcher([]).match('spam')).toEqual([]);
  });
});

describe('WordMatcher: rule validation', () => {
  it.each(['', '   ', '\n\t'])('rejects the empty pattern %j', (pattern) => {
    expect(() => new WordMatcher([rule('r1', 'fine'), rule('r2', pattern)])).toThrow(
      'Word rule "r2": the pattern is empty',
    );
  });

  it.each(['***', '!!!', '@@', '$', '...', '\u200b\u200b', '\u0301'])(
    'rejects %j, which normalises to nothing',
    (pattern) => {
      expect(() => new WordMatcher([rule('r7', pattern)])).toThrow(
        /^Word rule "r7": the pattern .* has no letters or digits left once normalised$/,
      );
    },
  );

  it('rejects a duplicate id', () => {
    expect(() => new WordMatcher([rule('same', 'one'), rule('same', 'two')])).toThrow(
      'Word rule "same": the id is used by another rule',
    );
  });

  it('rejects an unknown action and a missing id', () => {
    const bad = { id: 'r', pattern: 'spam', action: 'delete' } as unknown as WordRule;
    expect(() => new WordMatcher([bad])).toThrow(`Word rule "r": action must be 'ban' or 'suspect', not "delete"`);
    expect(() => new WordMatcher([rule('', 'spam')])).toThrow('Word rule #1: id must be a non-empty string');
  });

  it('accepts patterns with punctuation around the words', () => {
    const m = new WordMatcher([rule('r', '  "Buy  Followers!" ')]);
    expect(ids('buy followers', m)).toEqual(['r']);
  });
});

describe('WordMatcher: a large list on a long comment', () => {
  // 1,000 rules "zq" + three letters; every tenth is a phrase with a second word.
  const code = (n: number): string =>
    [Math.floor(n / 676) % 26, Math.floor(n / 26) % 26, n % 26].map((d) => String.fromCharCode(97 + d)).join('');
  const rules: WordRule[] = Array.from({ length: 1000 }, (_, i) =>
    rule(`r${i}`, i % 10 === 0 ? `zq${code(i)} vx${code(i + 7)}` : `zq${code(i)}`, i % 3 === 0 ? 'ban' : 'suspect'),
  );
  const big = new WordMatcher(rules);
  const word = (i: number): string => rules[i].pattern;

  const filler =
    "The council's budget, published on 12 March 2015, raised the A55 maintenance fund by 3.5% — it's " +
    "about time, don't you think? Residents of Essex, Sussex and Scunthorpe wrote in (see the petition). ";
  const inserted = [
    word(7), // as written
    word(123).toUpperCase().split('').join(' '), // spelled out
    word(456).split('').join('.'), // dotted
    `${word(460).split(' ').join('-').toUpperCase()}!`, // phrase, hyphenated
    word(999).replace(/z/g, 'zzz'), // stretched
  ];
  const nearMisses = [
    `${word(8)}x`, // longer word
    word(20).split(' ')[0], // first word of a phrase only
    `${word(30).split(' ')[1]} ${word(30).split(' ')[0]}`, // phrase in the wrong order
    word(9).slice(0, -1), // shorter word
  ];
  let text = '';
  for (let i = 0; text.length < 10_000; i++) {
    text += filler;
    if (i % 6 === 3) text += `Then: ${inserted[(i / 6) | 0] ?? 'nothing'}. `;
    if (i % 6 === 5) text += `Also ${nearMisses[(i / 6) | 0] ?? 'nothing'} here. `;
  }

  it('builds a 10,000-character comment containing every insertion', () => {
    expect(text.length).toBeGreaterThanOrEqual(10_000);
    for (const snippet of [...inserted, ...nearMisses]) expect(text).toContain(snippet);
  });

  it('finds exactly the inserted rules, banned first', () => {
    const expected = [7, 123, 456, 460, 999].map((i) => rules[i]);
    const order = [...expected.filter((r) => r.action === 'ban'), ...expected.filter((r) => r.action === 'suspect')];
    expect(big.match(text)).toEqual(order.map((r) => ({ ruleId: r.id, action: r.action, pattern: r.pattern })));
  });

  it('gives the same answer on repeated calls', () => {
    const first = big.match(text);
    for (let i = 0; i < 50; i++) expect(big.match(text)).toEqual(first);
  });
});
