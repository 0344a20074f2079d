import { parse, printParseErrorCode } from 'jsonc-parser';
import type { ParseError } from 'jsonc-parser';

// Where a file breaks, in the words an editor uses: line and column, from 1.
export interface TextPosition {
  line: number;
  column: number;
}

export function positionAt(text: string, offset: number): TextPosition {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lineStart = before.lastIndexOf('\n') + 1;
  let line = 1;
  for (let i = before.indexOf('\n'); i !== -1; i = before.indexOf('\n', i + 1)) line++;
  return { line, column: before.length - lineStart + 1 };
}

// The last character's position: where a file cut short breaks.
export const endOf = (text: string): TextPosition => positionAt(text, Math.max(0, text.trimEnd().length - 1));

// JSON.parse does not always say where (V8: "Unexpected token 'x', ... is
// not valid JSON"), so the text is read again by a parser that does
// (jsonc-parser, strict: no comments, no trailing commas). A file cut short is
// said to be, at its end.
export function describeJsonError(text: string, error: Error): string {
  const errors: ParseError[] = [];
  parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (!first) return `Not JSON: ${error.message}`;
  if (first.offset >= text.trimEnd().length) {
    const end = endOf(text);
    return `Not JSON: the file ends at line ${end.line}, column ${end.column} before the document is complete (is it cut short?)`;
  }
  const at = positionAt(text, first.offset);
  return `Not JSON at line ${at.line}, column ${at.column}: ${printParseErrorCode(first.error)}`;
}
