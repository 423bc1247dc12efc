import { z } from 'zod';
import { passwordInput } from '../admin-users/index.js';

/** A user's own new password: the admin's rules, plus the current password as proof. */
export const ownPasswordInput = passwordInput.extend({ current_password: z.string().min(1).max(1000) });
export type OwnPasswordInput = z.infer<typeof ownPasswordInput>;
