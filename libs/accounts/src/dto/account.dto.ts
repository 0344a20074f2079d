import { hasVisibleCharacter, text } from '@rejoinder/common';
import { z } from 'zod';
import { isCommonPassword } from '../common-passwords.js';

export const USERNAME_PATTERN = /^[A-Za-z0-9_-]{3,30}$/;

// The rules every new password follows (registration, reset, change).
export const passwordSchema = z
  .string()
  .min(10, 'at least 10 characters')
  .max(200)
  .refine((p) => hasVisibleCharacter(p), 'needs more than spaces')
  .refine((p) => !isCommonPassword(p), 'is one of the most common passwords; choose another');

export const registerSchema = z
  .strictObject({
    username: z.string().regex(USERNAME_PATTERN, '3 to 30 letters, digits, "_" or "-"'),
    email: z.email().max(254),
    password: passwordSchema,
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

export const ssoSchema = z.strictObject({
  // The JWT the host site signed for its signed-in reader.
  token: z.string().min(1).max(8192),
});
export type SsoInput = z.output<typeof ssoSchema>;

export const oidcCallbackSchema = z.strictObject({
  // The query parameters the provider sent to the redirect URI.
  code: z.string().min(1).max(2048),
  state: z.string().min(1).max(512),
  iss: z.string().min(1).max(2048).optional(),
});
export type OidcCallbackInput = z.output<typeof oidcCallbackSchema>;
