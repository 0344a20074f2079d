import { z } from 'zod';

// Control characters other than tab, line feed and carriage return. NUL is
// one: PostgreSQL cannot store it in text, and none belongs in what people write.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

// Text a person writes (a comment, a note, a login): bounded, and without
// control characters.
export const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((value) => !CONTROL.test(value), 'must not contain control characters');

// Something a reader can see: not only spaces, zero-width or bidirectional
// formatting characters, combining marks, or the blank letters (Hangul
// fillers, the blank Braille pattern) used to fake an empty name or comment.
const VISIBLE = /[^\p{White_Space}\p{Cc}\p{Cf}\p{Mn}\p{Me}\p{Zs}\u115F\u1160\u3164\uFFA0\u2800]/u;

export function hasVisibleCharacter(value: string): boolean {
  return VISIBLE.test(value);
}

// An article's slug, as the seed writes them: letters, digits, '-' and '_'.
export const slugSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,199}$/, 'not a slug');
