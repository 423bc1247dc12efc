import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { NotFoundError } from '../../shared/errors.js';
import { moveInOrder, type Direction } from '../../shared/reorder.js';
import type { AnyEntity, Row } from '../entity/define-entity.js';
import { repositoryOf } from './repository.js';

// Records kept in an admin's order (`ordered`): pickers list them by a position number, counted in
// tens within their group. A blank position means "last" on a new record and "unchanged" on an edit.

type Values = Record<string, unknown>;
type Save = (id: number, version: number, position: number) => Promise<unknown>;

/** Fills a blank position in the values being written: the last of its group on create, the current one on update. */
export async function fillPosition(trx: Knex.Transaction, e: AnyEntity, values: Values, before: Row | null): Promise<void> {
  const { column, within } = e.ordered!;
  if (values[column] !== null && values[column] !== undefined) return;
  if (before) {
    delete values[column];
    return;
  }
  const query = trx(e.table);
  if (within) query.where(within, values[within] as string);
  const row = await query.max({ top: column }).first();
  values[column] = Number(row?.top ?? 0) + 10;
}

/**
 * Moves a record one place up or down in its group, then numbers the group in tens (swapping two
 * numbers alone can jump over a record sharing one). `save` writes each renumbered record through
 * the write path, at the version read here, so its version counts up and the move is audited.
 */
export async function moveRecord(trx: Knex.Transaction, e: AnyEntity, id: number, direction: Direction, actor: Actor, save: Save): Promise<Row> {
  // The table's lock comes before any read, as every write of such an entity takes it.
  if (e.lockTable) await trx(e.table).forUpdate().select('id');
  const row = await repositoryOf(e).findById({ db: trx, actor }, id);
  if (!row) throw new NotFoundError();
  const { column, within } = e.ordered!;
  const query = trx(e.table).orderBy([{ column }, { column: 'id' }]).select('id', 'version', `${column} as position`);
  if (within) query.where(within, row[within] as string);
  const group: Array<{ id: number; version: number; position: number }> = await query;
  const order = group.map((r) => ({ id: Number(r.id), version: Number(r.version), sort: Number(r.position) }));
  await moveInOrder(order, id, direction, (r, position) => save(r.id, r.version, position).then(() => undefined));
  return row;
}
