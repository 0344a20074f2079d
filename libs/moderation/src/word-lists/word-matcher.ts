// Word-list matcher for comment moderation: pure TypeScript, no I/O.
//
// Rules are compiled once (per list change) into a Map from the first token of
// a rule to the rules starting with it; match() folds the comment once, cuts it
// into a few token streams ("views") and walks each stream once, so a match is
// O(text length), almost independent of the number of rules.
//
// Normalisation, applied the same way to rule patterns and to comment text:
//  1. Characters: "™"/"℠" dropped; NFKD (full-width, math-styled, circled and
//     ligature letters become plain ones, accents split off); non-spacing and
//     enclosing marks (the accents) and format characters (zero-width spaces,
//     soft hyphens, joiners) removed; inside a word that mixes Latin with
//     Cyrillic or Greek, look-alike letters become Latin ("ѕрam" → "spam"; a
//     word wholly in Cyrillic or Greek is left alone, so "сор" stays Russian
//     and is never read as "cop"); lower case; ß→ss, æ→ae, œ→oe, ø→o, ł→l, ...
//  2. Pieces: runs of letters/digits, plus the single symbols @ $ ! (leetspeak).
//     Everything else separates words.
//  3. Views (a rule matches if it matches in any of them):
//     A. words: every run of letters/digits is a token.
//     B. spelled out: runs of two or more single-character pieces are joined
//        into one token ("s p a m", "s.p.a.m", "S.p.A.a.M", "s 3 x"). A run
//        that starts with the words "a" or "i" is also tried without it
//        ("you are a c u n t"). A letter glued on by an apostrophe (the t of
//        "don't", the m of "I'm") is a contraction, not part of a run.
//     C. glued: pieces joined by separators without whitespace become one
//        token ("sp.am", "sp_am", "f-uck", "sp@m", "a$$").
//     Tokens are compared whole, never as substrings, so "class", "Essex",
//     "Scunthorpe", "title" or "shell" contain no "ass", "sex", "cunt", "tit",
//     "hell"; a phrase rule matches consecutive tokens of one view.
//  4. Repeated letters: a token is compared as its letter runs (key: the runs
//     collapsed, "boob" → "bob", plus each run's length). The comment must
//     have at least the rule's run lengths, so a rule "boob" matches "booob"
//     but never "bob". Extra repetition counts as evasion only when it is
//     clear: a run of three or more ("spaaam"), two or more lengthened runs
//     ("sppaamm"), or any lengthening in a spelled-out token ("S.p.A.a.M").
//     One doubled letter alone is ordinary spelling: rule "god" does not
//     match "good", "bot" not "boot", "ho" not "hoo" (so "spamm" slips by).
//  5. Leetspeak (0→o, 1→i or l, 3→e, 4→a, 5→s, 7→t, @→a, $→s, !→i) adds an
//     extra reading of a token only when the token has a letter and no more
//     digits than letters: "sp4m", "5h1t", "b00bs", "$pam", "sp@m", "a$$"
//     are read as words, while numbers ("2015", "1053", "347") and codes with
//     more digits than letters ("A55" the road, "4x4") stay as they are. The
//     literal reading is always kept too, so a rule "1488" matches "1488".
//
// Deliberately not caught: a word split at a space ("sp am" would make "is
// pam" a false positive), inflections ("spams", "spammer": add them as
// rules), a phrase written as one word ("buyfollowers" for "buy followers",
// else "therapist" would match "the rapist"), letters masked by wildcards
// ("f*ck" reads as "f ck"), text in scripts written without spaces (Chinese,
// Japanese, Thai) where whole-token matching never finds a word inside a
// sentence, and a word written entirely in look-alike Cyrillic letters.

export type WordRuleAction = 'ban' | 'suspect';

export interface WordRule {
  id: string;
  pattern: string;
  action: WordRuleAction;
}

export interface WordMatch {
  ruleId: string;
  action: WordRuleAction;
  pattern: string;
}

// --- Character folding ------------------------------------------------------

const TRADEMARKS = /[\u2122\u2120]/g; // ™ ℠: NFKD would glue "TM"/"SM" onto the word
const MARKS_AND_FORMAT = /[\p{Mn}\p{Me}\p{Cf}]/gu;
const LETTERS_OR_DIGITS = /[\p{L}\p{N}]+/gu;
const LATIN = /\p{Script=Latin}/u;
const CYRILLIC_OR_GREEK = /[\p{Script=Cyrillic}\p{Script=Greek}]/u;

// Cyrillic and Greek letters that look like a Latin letter in the same case.
// Keyed by the original case: lower-case "н" looks like a small capital, not
// like "h", so only "Н" is listed.
const HOMOGLYPHS: Readonly<Record<string, string>> = {
  // Cyrillic
  А: 'a',
  а: 'a',
  В: 'b',
  Е: 'e',
  е: 'e',
  К: 'k',
  к: 'k',
  М: 'm',
  Н: 'h',
  О: 'o',
  о: 'o',
  Р: 'p',
  р: 'p',
  С: 'c',
  с: 'c',
  Т: 't',
  У: 'y',
  у: 'y',
  Х: 'x',
  х: 'x',
  І: 'i',
  і: 'i',
  Ј: 'j',
  ј: 'j',
  Ѕ: 's',
  ѕ: 's',
  ԁ: 'd',
  һ: 'h',
  Ӏ: 'l',
  ӏ: 'l',
  ԛ: 'q',
  ԝ: 'w',
  // Greek
  Α: 'a',
  α: 'a',
  Β: 'b',
  Ε: 'e',
  Ζ: 'z',
  Η: 'h',
  Ι: 'i',
  ι: 'i',
  Κ: 'k',
  κ: 'k',
  Μ: 'm',
  Ν: 'n',
  ν: 'v',
  Ο: 'o',
  ο: 'o',
  Ρ: 'p',
  ρ: 'p',
  Τ: 't',
  τ: 't',
  Υ: 'y',
  υ: 'u',
  Χ: 'x',
  χ: 'x',
};
const HOMOGLYPH_CHARS = new RegExp(`[${Object.keys(HOMOGLYPHS).join('')}]`, 'gu');

// Lower-case letters that NFKD does not decompose.
const SPECIAL_LETTERS: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ł: 'l',
  ı: 'i',
  ħ: 'h',
  ŧ: 't',
  ĸ: 'k',
  ƒ: 'f',
};
const SPECIAL_LETTER_CHARS = new RegExp(`[${Object.keys(SPECIAL_LETTERS).join('')}]`, 'gu');

function foldHomoglyphs(word: string): string {
  return LATIN.test(word) && CYRILLIC_OR_GREEK.test(word) ? word.replace(HOMOGLYPH_CHARS, (c) => HOMOGLYPHS[c]) : word;
}

function foldCharacters(text: string): string {
  let folded = text.replace(TRADEMARKS, ' ').normalize('NFKD').replace(MARKS_AND_FORMAT, '');
  if (CYRILLIC_OR_GREEK.test(folded)) {
    folded = folded.replace(LETTERS_OR_DIGITS, foldHomoglyphs);
  }
  return folded.toLowerCase().replace(SPECIAL_LETTER_CHARS, (c) => SPECIAL_LETTERS[c]);
}

// --- Pieces -----------------------------------------------------------------

// \p{Mc}: spacing vowel signs (Devanagari, ...) belong to their word.
const PIECE = /[\p{L}\p{Mc}\p{N}]+|[@$!]/gu;
const WHITESPACE = /\s/u;
const APOSTROPHES = new Set(["'", '\u2019', '\u02bc', '`']);

// How a piece is separated from the previous one: 'start' (first piece),
// 'none' (glued: "sp@m"), 'apostrophe' (exactly one: "don't", "I'm"), 'glue'
// (other separators without whitespace: "s.p", "buy-followers"), 'space'.
type Sep = 'start' | 'none' | 'apostrophe' | 'glue' | 'space';

interface Piece {
  readonly text: string;
  readonly symbol: boolean; // one of @ $ !
  readonly single: boolean; // one character
  readonly sep: Sep; // how it is separated from the previous piece
}

function splitPieces(folded: string): Piece[] {
  const pieces: Piece[] = [];
  let last = 0;
  for (const m of folded.matchAll(PIECE)) {
    const text = m[0];
    const start = m.index;
    let sep: Sep;
    if (pieces.length === 0) sep = 'start';
    else if (start === last) sep = 'none';
    else if (start - last === 1 && folded.charCodeAt(last) === 32)
      sep = 'space'; // the common case
    else {
      const between = folded.slice(last, start);
      if (WHITESPACE.test(between)) sep = 'space';
      else if (between.length === 1 && APOSTROPHES.has(between)) sep = 'apostrophe';
      else sep = 'glue';
    }
    const symbol = text === '@' || text === '$' || text === '!';
    const single = text.length === 1 || (text.length === 2 && text.codePointAt(0)! > 0xffff);
    pieces.push({ text, symbol, single, sep });
    last = start + text.length;
  }
  return pieces;
}

// --- Tokens and their forms -------------------------------------------------

// A token reads as one or more forms (literal, leetspeak readings).
interface Form {
  readonly key: string; // letter runs collapsed: "boob" → "bob"
  readonly counts: readonly number[]; // length of each run: "boob" → [1, 2, 1]
}

interface Token {
  readonly forms: readonly Form[];
  // Spelled-out tokens may lengthen any run ("S.p.A.a.M" is "spam").
  readonly lenient: boolean;
}

function toForm(text: string): Form {
  let key = '';
  const counts: number[] = [];
  let previous = '';
  for (const ch of text) {
    if (ch === previous) {
      counts[counts.length - 1]++;
    } else {
      key += ch;
      counts.push(1);
      previous = ch;
    }
  }
  return { key, counts };
}

const LEET: Readonly<Record<string, string>> = {
  '0': 'o',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
  '!': 'i',
};
const HAS_LEET = /[013457@$!]/;
const LEET_CHARS = /[03457@$!]/g;
const LETTER = /\p{L}/u;
const SYMBOLS = /[@$!]/;
const SYMBOLS_ALL = /[@$!]/g;

// The leetspeak readings of a token, [] when it has none or is not eligible:
// it needs a letter and no more ASCII digits than letters, so that numbers
// and codes such as "2015", "A55" or "4x4" are only ever read literally.
function leetReadings(text: string): string[] {
  if (!HAS_LEET.test(text)) return [];
  let letters = 0;
  let digits = 0;
  for (const ch of text) {
    if (ch >= '0' && ch <= '9') digits++;
    else if (LETTER.test(ch)) letters++;
  }
  if (letters === 0 || digits > letters) return [];
  const read = text.replace(LEET_CHARS, (c) => LEET[c]);
  return read.includes('1') ? [read.replaceAll('1', 'i'), read.replaceAll('1', 'l')] : [read];
}

// Forms of a token: the literal text (symbols dropped) and its leet readings.
function formsOf(text: string, withLiteral: boolean): Form[] {
  const forms = withLiteral ? [toForm(SYMBOLS.test(text) ? text.replace(SYMBOLS_ALL, '') : text)] : [];
  for (const reading of leetReadings(text)) forms.push(toForm(reading));
  return forms;
}

// Run lengths in the text must be at least the rule's; extra length only
// counts when it is clearly deliberate (see the header, point 4).
function runsMatch(text: readonly number[], rule: readonly number[], lenient: boolean): boolean {
  let lengthened = 0;
  let stretched = false;
  for (let i = 0; i < rule.length; i++) {
    const t = text[i];
    const r = rule[i];
    if (t < r) return false;
    if (t > r) {
      lengthened++;
      if (t >= 3) stretched = true;
    }
  }
  return lengthened === 0 || lenient || stretched || lengthened >= 2;
}

function tokenMatches(text: Token, rule: Token): boolean {
  for (const tf of text.forms) {
    for (const rf of rule.forms) {
      if (tf.key === rf.key && runsMatch(tf.counts, rf.counts, text.lenient)) return true;
    }
  }
  return false;
}

// --- Views of a text --------------------------------------------------------

function wordToken(text: string): Token {
  return { forms: formsOf(text, true), lenient: false };
}

// View A: every run of letters/digits.
function wordsView(pieces: readonly Piece[], words: (Token | null)[]): Token[] {
  const view: Token[] = [];
  const seen = new Map<string, Token>(); // words repeat: read each once
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i];
    if (piece.symbol) continue;
    let token = seen.get(piece.text);
    if (!token) {
      token = wordToken(piece.text);
      seen.set(piece.text, token);
    }
    words[i] = token;
    view.push(token);
  }
  return view;
}

function isContraction(pieces: readonly Piece[], i: number): boolean {
  return pieces[i].sep === 'apostrophe' && !pieces[i - 1].symbol;
}

function isSpelledUnit(pieces: readonly Piece[], i: number): boolean {
  const piece = pieces[i];
  if (!piece.single || isContraction(pieces, i)) return false;
  if (!piece.symbol) return true;
  // A lone @ or $ between spaced letters ("s p @ m"), not glued to a word.
  const next = pieces[i + 1];
  return piece.text !== '!' && piece.sep !== 'none' && (next === undefined || next.sep !== 'none');
}

// View B: runs of single characters joined; null when there are none.
function spelledView(pieces: readonly Piece[], words: readonly (Token | null)[]): Token[] | null {
  const view: Token[] = [];
  let found = false;
  let i = 0;
  while (i < pieces.length) {
    let end = i;
    if (isSpelledUnit(pieces, i)) {
      while (end + 1 < pieces.length && isSpelledUnit(pieces, end + 1)) end++;
    }
    if (end > i) {
      let joined = '';
      for (let k = i; k <= end; k++) joined += pieces[k].text;
      const hasSymbol = SYMBOLS.test(joined);
      const forms = formsOf(joined, !hasSymbol);
      if (forms.length > 0) {
        const first = pieces[i].text;
        if (end - i >= 2 && (first === 'a' || first === 'i')) {
          forms.push(...formsOf(joined.slice(1), !hasSymbol));
        }
        view.push({ forms, lenient: true });
        found = true;
        i = end + 1;
        continue;
      }
    }
    for (let k = i; k <= end; k++) {
      const word = words[k];
      if (word) view.push(word);
    }
    i = end + 1;
  }
  return found ? view : null;
}

// View C: pieces separated without whitespace joined; null when there are none.
function gluedView(pieces: readonly Piece[], words: readonly (Token | null)[]): Token[] | null {
  const view: Token[] = [];
  let found = false;
  let i = 0;
  while (i < pieces.length) {
    let end = i;
    while (end + 1 < pieces.length && pieces[end + 1].sep !== 'space') end++;
    // "!" at either end is punctuation ("spam!!"), inside it is a leet i ("sh!t").
    let from = i;
    let to = end;
    while (from <= to && pieces[from].text === '!') from++;
    while (to >= from && pieces[to].text === '!') to--;
    if (to > from) {
      let joined = '';
      let hasWord = false;
      for (let k = from; k <= to; k++) {
        joined += pieces[k].text;
        hasWord ||= !pieces[k].symbol;
      }
      if (hasWord) {
        view.push({ forms: formsOf(joined, true), lenient: false });
        found = true;
      }
    } else if (to === from && words[from]) {
      view.push(words[from]!);
    }
    i = end + 1;
  }
  return found ? view : null;
}

// --- Rules ------------------------------------------------------------------

interface CompiledRule {
  readonly index: number; // position in the constructor's list
  readonly rule: WordRule;
  readonly tokens: readonly Token[];
}

interface IndexEntry {
  readonly rule: CompiledRule;
  readonly first: Form;
}

// A pattern's tokens: its words (view A), except that pieces glued to @ or $
// form one leet token ("$pam" is "spam", not "pam").
function patternTokens(pattern: string): Token[] {
  const pieces = splitPieces(foldCharacters(pattern));
  const tokens: Token[] = [];
  let i = 0;
  while (i < pieces.length) {
    let end = i;
    while (end + 1 < pieces.length && pieces[end + 1].sep === 'none') end++;
    let from = i;
    let to = end;
    while (from <= to && pieces[from].text === '!') from++;
    while (to >= from && pieces[to].text === '!') to--;
    let joined = '';
    let hasWord = false;
    for (let k = from; k <= to; k++) {
      joined += pieces[k].text;
      hasWord ||= !pieces[k].symbol;
    }
    const readings = to > from && hasWord ? formsOf(joined, false) : [];
    if (readings.length > 0) {
      tokens.push({ forms: readings, lenient: false });
    } else {
      for (let k = from; k <= to; k++) {
        if (!pieces[k].symbol) tokens.push(wordToken(pieces[k].text));
      }
    }
    i = end + 1;
  }
  return tokens;
}

function describe(rule: WordRule): string {
  return `Word rule ${JSON.stringify(rule.id)}`;
}

/**
 * The comment text as the matcher sees it, for tests and diagnostics: case,
 * accents, compatibility forms and look-alike letters folded, invisible
 * characters removed, and the words (runs of letters and digits) joined by
 * single spaces. Repeated letters and leetspeak are left as they are: those
 * are handled per token when matching.
 */
export function normalizeForMatching(text: string): string {
  return splitPieces(foldCharacters(text))
    .filter((piece) => !piece.symbol)
    .map((piece) => piece.text)
    .join(' ');
}

// Compiled once per list change; match() is on the hot path of every comment post.
export class WordMatcher {
  private readonly rules: readonly CompiledRule[];
  private readonly byFirstToken = new Map<string, IndexEntry[]>();

  constructor(rules: WordRule[]) {
    const ids = new Set<string>();
    this.rules = rules.map((rule, index) => {
      if (typeof rule.id !== 'string' || rule.id === '') {
        throw new Error(`Word rule #${index + 1}: id must be a non-empty string`);
      }
      if (ids.has(rule.id)) throw new Error(`${describe(rule)}: the id is used by another rule`);
      ids.add(rule.id);
      const action: string = rule.action;
      if (action !== 'ban' && action !== 'suspect') {
        throw new Error(`${describe(rule)}: action must be 'ban' or 'suspect', not ${JSON.stringify(action)}`);
      }
      if (typeof rule.pattern !== 'string' || rule.pattern.trim() === '') {
        throw new Error(`${describe(rule)}: the pattern is empty`);
      }
      const tokens = patternTokens(rule.pattern);
      if (tokens.length === 0) {
        throw new Error(
          `${describe(rule)}: the pattern ${JSON.stringify(rule.pattern)} has no letters or digits left once normalised`,
        );
      }
      return { index, rule: { id: rule.id, pattern: rule.pattern, action: rule.action }, tokens };
    });
    for (const compiled of this.rules) {
      for (const first of compiled.tokens[0].forms) {
        const entries = this.byFirstToken.get(first.key);
        if (entries) entries.push({ rule: compiled, first });
        else this.byFirstToken.set(first.key, [{ rule: compiled, first }]);
      }
    }
  }

  // Every rule that matches, banned ones first (then in the order given); [] when clean.
  match(text: string): WordMatch[] {
    if (this.rules.length === 0 || text === '') return [];
    const pieces = splitPieces(foldCharacters(text));
    if (pieces.length === 0) return [];
    const matched = new Uint8Array(this.rules.length);
    const hits: CompiledRule[] = [];
    const words: (Token | null)[] = new Array<Token | null>(pieces.length).fill(null);
    this.scan(wordsView(pieces, words), matched, hits);
    const spelled = spelledView(pieces, words);
    if (spelled) this.scan(spelled, matched, hits);
    const glued = gluedView(pieces, words);
    if (glued) this.scan(glued, matched, hits);

    return hits
      .sort((a, b) => Number(a.rule.action !== 'ban') - Number(b.rule.action !== 'ban') || a.index - b.index)
      .map(({ rule }) => ({ ruleId: rule.id, action: rule.action, pattern: rule.pattern }));
  }

  private scan(view: readonly Token[], matched: Uint8Array, hits: CompiledRule[]): void {
    for (let i = 0; i < view.length; i++) {
      const token = view[i];
      for (const form of token.forms) {
        const entries = this.byFirstToken.get(form.key);
        if (!entries) continue;
        for (const { rule, first } of entries) {
          if (matched[rule.index] || rule.tokens.length > view.length - i) continue;
          if (!runsMatch(form.counts, first.counts, token.lenient)) continue;
          let all = true;
          for (let k = 1; k < rule.tokens.length && all; k++) all = tokenMatches(view[i + k], rule.tokens[k]);
          if (all) {
            matched[rule.index] = 1;
            hits.push(rule);
          }
        }
      }
    }
  }
}
