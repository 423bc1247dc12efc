import type { NextFunction, Request, Response } from 'express';
import { dateTimeFormatter } from './format.js';
import { isLocale, localeFromAcceptLanguage, translator, type Locale, type Translate } from './i18n.js';

export const LOCALE_COOKIE = 'lang';
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

declare module 'express-serve-static-core' {
  interface Request {
    locale: Locale;
    t: Translate;
  }
}

/** A cookie as the browser sent it, decoded; a malformed one (`lang=%`) is as good as absent, not a 500 on every page. */
function decodedOrUndefined(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodedOrUndefined(value.join('='));
  }
  return undefined;
}

/** The user's profile language wins, then the switch's cookie, then the browser's Accept-Language. */
export function localeMiddleware(req: Request, res: Response, next: NextFunction): void {
  const fromProfile = req.user?.locale;
  const fromCookie = readCookie(req, LOCALE_COOKIE);
  const locale: Locale = isLocale(fromProfile)
    ? fromProfile
    : isLocale(fromCookie)
      ? fromCookie
      : localeFromAcceptLanguage(req.get('accept-language'));
  req.locale = locale;
  req.t = translator(locale);
  res.locals.locale = locale;
  res.locals.t = req.t;
  const timeZone = req.user?.timeZone ?? DEFAULT_TIME_ZONE;
  res.locals.timeZone = timeZone;
  res.locals.fmt = dateTimeFormatter(locale, timeZone);
  next();
}
