import { z } from 'zod';
import { hashPassword } from '../../auth/passwords.js';
import type { Values } from '../../kernel/data/write.js';
import type { FieldErrors } from '../../shared/errors.js';

// The rules of a password an admin sets (and a user sets for themself, on their profile).

const PASSWORD_MIN_LENGTH = 8;
/** bcrypt reads only the first 72 bytes, so a longer password would be silently cut. */
const PASSWORD_MAX_BYTES = 72;

export const passwordInput = z.object({ password: z.string().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_BYTES), password_confirm: z.string().optional() });
export type PasswordInput = z.infer<typeof passwordInput>;

/** The password rules zod's messages cannot say: bcrypt's byte limit and the repeated entry. */
export function passwordErrors(input: PasswordInput): FieldErrors {
  const errors: FieldErrors = {};
  if (Buffer.byteLength(input.password, 'utf8') > PASSWORD_MAX_BYTES) errors.password = { key: 'users.password_too_long' };
  if ((input.password_confirm ?? '') !== input.password) errors.password_confirm = { key: 'users.password_mismatch' };
  return errors;
}

/** The admin's new password for an account, every rule at once. */
export const checkedPassword = passwordInput.superRefine((input, ctx) => {
  for (const [field, error] of Object.entries(passwordErrors(input))) ctx.addIssue({ code: 'custom', path: [field], message: error.key });
});

/** A new account: its password hashed before the write's transaction (a quarter of a second) and never audited; active from the start. */
export const newAccountInputs = {
  input: checkedPassword,
  extend: async (data: Values) => ({
    values: { password_hash: await hashPassword(String(data.password)), is_active: true },
    audit: () => ({ is_active: { before: null, after: true } }),
  }),
};
