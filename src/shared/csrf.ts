import { csrfSync } from 'csrf-sync';
import type { Request } from 'express';

// Synchroniser-token CSRF protection: the token lives in the session and every state-changing
// form posts it back in the `_csrf` field (CONTRACT.md).
export const { csrfSynchronisedProtection: csrfProtection, generateToken: csrfToken } = csrfSync({
  // 32 random bytes (256 bits) is far past guessing; the library's default of 128 made every form
  // carry 256 hex characters, 10 KB of the pipeline board's 40 card forms.
  size: 32,
  getTokenFromRequest: (req: Request) => (req.body as Record<string, unknown> | undefined)?._csrf as string,
});
