import { csrfSync } from 'csrf-sync';
import type { Request } from 'express';

// Synchroniser-token CSRF protection: the token lives in the session and every state-changing
// form posts it back in the `_csrf` field (CONTRACT.md).
export const { csrfSynchronisedProtection: csrfProtection, generateToken: csrfToken } = csrfSync({
  getTokenFromRequest: (req: Request) => (req.body as Record<string, unknown> | undefined)?._csrf as string,
});
