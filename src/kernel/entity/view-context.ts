import type { Request, Response } from 'express';
import type { Knex } from 'knex';
import type { Translate } from '../../i18n/i18n.js';
import type { dateTimeFormatter } from '../../i18n/format.js';
import { resolveLookups, type LookupRequest, type Lookups } from './lookups.js';

export type Formatters = ReturnType<typeof dateTimeFormatter>;

/** What a field needs to show a stored value in the reader's words. */
export type ViewContext = { t: Translate; fmt: Formatters; timeZone: string; locale: string; lookups: Lookups };

/** The request's view context, with the labels that `wanted` names read in one query per kind. */
export async function viewContext(db: Knex, req: Request, res: Response, wanted: LookupRequest): Promise<ViewContext> {
  return {
    t: req.t,
    fmt: res.locals.fmt as Formatters,
    timeZone: res.locals.timeZone as string,
    locale: req.locale,
    lookups: await resolveLookups(db, req.locale, wanted),
  };
}
