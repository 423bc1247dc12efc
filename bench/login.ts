import { SESSION_COOKIE } from '../src/app.js';
import { CSRF_COOKIE } from '../src/shared/csrf.js';

// Logs in the way a browser does: GET /login for the CSRF field and its cookie, then POST the form.
function cookieOf(res: Response, name: string): string | undefined {
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  return cookie?.split(';')[0];
}

/** The `crm.sid=...` cookie of a fresh session logged in as `username`. */
export async function logIn(baseUrl: string, username: string, password: string): Promise<string> {
  const form = await fetch(`${baseUrl}/login`);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
  const csrfCookie = cookieOf(form, CSRF_COOKIE);
  if (!csrf || !csrfCookie) throw new Error(`GET /login gave no CSRF token or cookie (status ${form.status})`);
  const res = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: csrfCookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, username, password }),
  });
  const cookie = cookieOf(res, SESSION_COOKIE);
  if (res.status !== 303 || !cookie) throw new Error(`Logging in as ${username} answered ${res.status}`);
  return cookie;
}
