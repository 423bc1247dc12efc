import { z } from 'zod';
import { optionalFilter, optionalText } from '../../shared/fields.js';
import { idField, idFilter, optionalId } from '../../shared/ids.js';

export const PASSWORD_MIN_LENGTH = 8;
/** bcrypt reads only the first 72 bytes, so a longer password would be silently cut. */
export const PASSWORD_MAX_BYTES = 72;

const password = z.string().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_BYTES);

/** What the edit form changes; the username is fixed once the account exists. */
export const userProfileInput = z.object({
  display_name: z.string().trim().min(1).max(100),
  email: optionalText(200).refine((v) => v === null || z.email().safeParse(v).success, 'validation.email'),
  phone: optionalText(50).refine((v) => v === null || /^[0-9+\-() ]{5,50}$/.test(v), 'validation.phone'),
  role_id: idField,
  department_id: optionalId,
});
export type UserProfileInput = z.infer<typeof userProfileInput>;

export const newUserInput = userProfileInput.extend({
  username: z
    .string()
    .trim()
    .min(3)
    .max(64)
    .regex(/^[A-Za-z0-9._-]+$/, 'validation.format'),
  password,
  password_confirm: z.string().optional(),
});
export type NewUserInput = z.infer<typeof newUserInput>;

export const passwordInput = z.object({ password, password_confirm: z.string().optional() });
export type PasswordInput = z.infer<typeof passwordInput>;

/** The fields a user form edits, in the order the audit trail lists them; never the password hash. */
export const PROFILE_FIELDS = ['display_name', 'email', 'phone', 'role_id', 'department_id'] as const;
export const CREATED_FIELDS = ['username', ...PROFILE_FIELDS, 'is_active'] as const;

/** Fields a form shows again after a 422; passwords are never echoed back into the page. */
export const FORM_FIELDS = ['username', ...PROFILE_FIELDS] as const;

export const USER_SORT_COLUMNS = ['username', 'display_name', 'last_login_at', 'created_at'] as const;
export type UserSortColumn = (typeof USER_SORT_COLUMNS)[number];
export const USER_STATUSES = ['active', 'inactive', 'locked'] as const;

export const userListQuery = z.object({
  q: optionalFilter,
  role_id: idFilter,
  status: z.enum(USER_STATUSES).optional().catch(undefined),
  sort: z.enum(USER_SORT_COLUMNS).catch('username'),
  dir: z.enum(['asc', 'desc']).catch('asc'),
});
export type UserListQuery = z.infer<typeof userListQuery>;
