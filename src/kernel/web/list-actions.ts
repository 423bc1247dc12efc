import type { Request, Response } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { hasPermission } from '../../authz/actor.js';
import { actorOf } from '../../authz/guards.js';
import { HttpError, ValidationError } from '../../shared/errors.js';
import { redirectWithFlash } from '../../shared/flash.js';
import { idParam, requestInfo } from '../../shared/request.js';
import { titleOf, type AnyEntity, type Row } from '../entity/define-entity.js';
import { moveRecord } from '../data/ordering.js';
import { entityTransaction, writeRecord } from '../data/write.js';
import { recordList } from './record-list.js';
import { homeOf, listUrlOf, problemsOf } from './record-pages.js';

// The buttons besides edit and delete, for records kept in an admin's order (`ordered`) and retired
// rather than deleted (`activeColumn`): move up or down (on a list row), activate, deactivate (on a
// list row, or the show page where there is one). Each writes through the write path and answers
// 303 with a flash, or shows the list again (422) with the message of the rule that refused it.

const moveInput = z.object({ direction: z.enum(['up', 'down']) });

export function listActions(db: Knex, e: AnyEntity) {
  async function run(req: Request, res: Response, flashKey: string, work: (trx: Knex.Transaction) => Promise<Row>, next = listUrlOf): Promise<void> {
    try {
      const row = await entityTransaction(db, e, work);
      await redirectWithFlash(req, res, next(e, row), req.t(`${e.plural}.${flashKey}`, { name: titleOf(e, row, req.locale) }));
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const canSeeDeleted = !!e.permissions.restore && hasPermission(req.user, e.permissions.restore);
      await recordList(db, e, req, res, canSeeDeleted, { status: err.status, problems: problemsOf(err.fields, req.t) });
    }
  }

  // Back to where the record is seen: the show page where it has one (whose button this was), else its list.
  const setActive = (active: boolean) => (req: Request, res: Response) =>
    run(req, res, active ? 'activated' : 'deactivated', async (trx) => {
      const op = { kind: 'patch' as const, id: idParam(req), values: { [e.activeColumn!]: active } };
      return (await writeRecord(trx, e, op, actorOf(req), requestInfo(req))).before!;
    }, homeOf);

  return {
    move: async (req: Request, res: Response) => {
      // A malformed id is a 404 before a malformed direction is a 400, as on every route.
      const id = idParam(req);
      const parsed = moveInput.safeParse(req.body);
      if (!parsed.success) throw new HttpError(400, 'Unknown direction');
      const actor = actorOf(req);
      const column = e.ordered!.column;
      await run(req, res, 'moved', (trx) =>
        moveRecord(trx, e, id, parsed.data.direction, actor, (id, version, position) =>
          writeRecord(trx, e, { kind: 'patch', id, version, values: { [column]: position } }, actor, requestInfo(req)),
        ),
      );
    },
    activate: setActive(true),
    deactivate: setActive(false),
  };
}
