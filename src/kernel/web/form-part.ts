import type { Knex } from 'knex';
import type { FieldErrors } from '../../shared/errors.js';
import type { Row } from '../entity/define-entity.js';
import type { Values } from '../data/write.js';

/**
 * Rows edited on a record's form beside its fields (a document's lines): a partial inside the form,
 * read with the form, kept as typed on a 422 or 409, and written by the entity's hooks in the
 * record's transaction (from the write's `related`).
 */
export type FormPart = {
  /** Included in the form's row of fields, after them (as its parts' `inputs`), with the locals below and the form's `errors`. */
  view: string;
  /** The form only asks to be shown again (an "add rows" button): 200, nothing read or saved. */
  redisplay?(body: unknown): boolean;
  /** The partial's locals: from the stored record when an edit form opens, else from what was posted (nothing on a new form). */
  locals(db: Knex, from: { row?: Row; body?: unknown }): Promise<Record<string, unknown>>;
  /** What was posted: errors by field, else columns it adds to the write (totals) and what the hooks write. */
  read(db: Knex, body: unknown, row?: Row): Promise<{ errors: FieldErrors; values?: Values; related?: unknown }>;
};

/** What a form part posted; a form without one reads nothing more. */
export const readPart = (db: Knex, part: FormPart | undefined, body: unknown, row?: Row): Promise<{ errors: FieldErrors; values?: Values; related?: unknown }> =>
  part ? part.read(db, body, row) : Promise.resolve({ errors: {} });
