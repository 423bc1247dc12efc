import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { toLocalInput } from '../../i18n/format.js';
import type { Locale } from '../../i18n/i18n.js';
import { toDbTime } from '../../db/time.js';
import { typedValues } from '../../shared/request.js';
import { loadDictionaries } from '../dictionaries/dictionary.repository.js';
import { followupRepository } from './followups.repository.js';
import { FOLLOWUP_FIELDS } from './followups.schema.js';

export type FormValues = Record<string, string>;

/** What the user typed, kept as typed, for showing the form again. */
export function valuesOfBody(body: unknown): FormValues {
  return typedValues(body, FOLLOWUP_FIELDS);
}

/** A fresh form: a call, happening now in the user's zone. */
export function newFollowupValues(actor: Actor): FormValues {
  return { ...valuesOfBody({}), type: 'call', occurred_at: toLocalInput(toDbTime(), actor.timeZone) };
}

/** The pickers of a follow-up form for one customer: types, its contacts, its live opportunities the actor may open. */
export async function followupFormOptions(db: Knex, actor: Actor, customerId: number, locale: Locale) {
  const repo = followupRepository(db);
  const [dictionaries, contacts, opportunities] = await Promise.all([
    loadDictionaries(db, ['followup_type'], locale),
    repo.contactChoices(customerId),
    repo.opportunityChoices(actor, customerId),
  ]);
  return {
    types: dictionaries.active('followup_type'),
    contacts: contacts.map((c) => ({ value: String(c.id), label: c.title ? `${c.name} · ${c.title}` : c.name })),
    opportunities: opportunities.map((o) => ({ value: String(o.id), label: o.title })),
  };
}

export type FollowupFormOptions = Awaited<ReturnType<typeof followupFormOptions>>;
