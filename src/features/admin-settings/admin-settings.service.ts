import type { Knex } from 'knex';
import { z } from 'zod';
import type { Actor } from '../../authz/actor.js';
import { integer } from '../../kernel/entity/fields.js';
import { referenceTransaction } from '../../db/reference-cache.js';
import { toDbTime } from '../../db/time.js';
import { writeAudit } from '../../shared/audit.js';
import { ConflictError } from '../../shared/errors.js';
import type { RequestInfo } from '../../shared/request.js';

// The installation's settings as one form. A setting's updated_at is its version: saving a form
// opened before someone else's save answers 409 instead of overwriting it.
export const SETTING_FIELDS = { stale_customer_days: integer(1, 365, { required: true }) };
export const settingsInput = z.object({ stale_customer_days: SETTING_FIELDS.stale_customer_days.schema, version: z.string().min(1) });
export type SettingsInput = z.infer<typeof settingsInput>;

export type SettingsValues = Record<keyof typeof SETTING_FIELDS | 'version', string>;

export function adminSettingsService(db: Knex) {
  return {
    /** The stored values as form strings, with the version token. */
    async current(): Promise<SettingsValues> {
      const rows: Array<{ key: string; value: string; updated_at: string }> = await db('settings').whereIn('key', Object.keys(SETTING_FIELDS));
      const row = rows.find((r) => r.key === 'stale_customer_days');
      return { stale_customer_days: row?.value ?? '30', version: row?.updated_at ?? '' };
    },

    async save(actor: Actor, input: SettingsInput, info: RequestInfo): Promise<void> {
      await referenceTransaction(db, async (trx) => {
        const before = await trx('settings').where({ key: 'stale_customer_days' }).first('value', 'updated_at');
        if (!before || before.updated_at !== input.version) throw new ConflictError();
        const after = String(input.stale_customer_days);
        if (before.value === after) return;
        // A second save within the same second must still change the version.
        const now = toDbTime();
        const updatedAt = now > before.updated_at ? now : toDbTime(new Date(Date.parse(before.updated_at.replace(' ', 'T') + 'Z') + 1000));
        const updated = await trx('settings')
          .where({ key: 'stale_customer_days', updated_at: input.version })
          .update({ value: after, updated_at: updatedAt });
        if (updated === 0) throw new ConflictError();
        await writeAudit(trx, {
          entity: 'setting',
          entityId: 0,
          action: 'update',
          actorId: actor.id,
          changes: { stale_customer_days: { before: Number(before.value), after: input.stale_customer_days } },
          ip: info.ip,
        });
      });
    },
  };
}
