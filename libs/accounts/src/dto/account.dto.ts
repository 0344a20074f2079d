import { hasVisibleCharacter, text } from '@rejoinder/common';
import { z } from 'zod';
import { isCommonPassword } from '../common-passwords.js';

export const USERNAME_PATTERN = /^[A-Za-z0-9_-]{3,30}$/;

export const registerSchema = z
  .strictObject({
    username: z.string().regex(USERNAME_PATTERN, '3 to 30 letters, digits, "_" or "-"'),
    email: z.email().max(254),
    password: z
      .string()
      .min(10, 'at least 10 characters')
      .max(200)
      .refine((p) => hasVisibleCharacter(p), 'needs more than spaces')
      .refine((p) => !isCommonPassword(p), 'is one of the most common passwords; choose another'),
  })
  .refine((a) => !a.password.toLowerCase().includes(a.username.toLowerCase()), {
    message: 'must not contain the username',
    path: ['password'],
  });
export type RegisterInput = z.output<typeof registerSchema>;

export const loginSchema = z.strictObject({
  // A username or an email address.
  login: text(254).min(1),
  password: z.string().min(1).max(200),
});
export type LoginInput = z.output<typeof loginSchema>;
