import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import type { RequestInfo } from '../../shared/request.js';
import { assignableUsers, ownerBranchId } from '../../authz/data-scope.js';
import { toDbTime } from '../../db/time.js';
import { fromLocalInput } from '../../i18n/format.js';
import { changedFields, writeAudit } from '../../shared/audit.js';
import { ConflictError, NotFoundError, ValidationError, type FieldErrors } from '../../shared/errors.js';
import { loadDictionaries, type DictionaryType } from '../dictionaries/dictionary.repository.js';
import { withCustomerOpportunities } from '../opportunities/customer-cascade.js';
import { changeCustomerCounts, ensureCountRows } from './customer-counts.js';
import { customerRepository, type CustomerDetail, type CustomerRow } from './customers.repository.js';
import { CUSTOMER_FIELDS, type CustomerInput } from './customers.schema.js';
import { inTransaction } from '../../db/transaction.js';

const dictionaryFields: Array<[field: 'industry' | 'source' | 'level' | 'status', type: DictionaryType]> = [
  ['industry', 'industry'],
  ['source', 'customer_source'],
  ['level', 'customer_level'],
  ['status', 'customer_status'],
];

type Editable = Pick<CustomerRow, (typeof CUSTOMER_FIELDS)[number]>;

/** Why a customer cannot be deleted, as a form error the confirm page shows. */
export function deleteRefusal(name: string, contracts: number): FieldErrors[string] {
  return { key: 'customers.delete_refused_contracts', params: { name, count: contracts } };
}

export function customerService(db: Knex) {
  const repo = customerRepository(db);

  /** Rules zod cannot know: dictionary codes, and an owner inside the actor's scope. */
  async function checkRules(actor: Actor, input: CustomerInput, current?: CustomerRow): Promise<Editable> {
    const errors: FieldErrors = {};
    const dictionaries = await loadDictionaries(db, dictionaryFields.map(([, type]) => type), 'en');
    for (const [field, type] of dictionaryFields) {
      const code = input[field];
      if (code && !dictionaries.isSelectable(type, code, current?.[field])) errors[field] = { key: 'validation.choice' };
    }
    let ownerId = current?.owner_id ?? actor.id;
    if (actor.permissions.has('customers.assign') && input.owner_id) {
      const allowed = await assignableUsers(db, actor);
      const stays = current && input.owner_id === current.owner_id;
      if (!stays && !allowed.some((u) => u.id === input.owner_id)) errors.owner_id = { key: 'validation.choice' };
      ownerId = input.owner_id;
    }
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
    return {
      kind: input.kind,
      name: input.name,
      company: input.company,
      phone: input.phone,
      email: input.email,
      industry: input.industry,
      source: input.source,
      level: input.level,
      status: input.status,
      region: input.region,
      address: input.address,
      remark: input.remark,
      owner_id: ownerId,
      next_follow_up_at: input.next_follow_up_at ? fromLocalInput(input.next_follow_up_at, actor.timeZone) : null,
    };
  }

  /**
   * Contracts not deleted of a customer: while there are any, the customer cannot be deleted. Inside
   * the delete's transaction the count is a locking read, which sees the latest committed contracts
   * whatever the transaction's snapshot.
   */
  async function liveContracts(customerId: number, trx?: Knex.Transaction): Promise<number> {
    const query = (trx ?? db)('contracts').where('customer_id', customerId).whereNull('deleted_at');
    if (trx) query.forShare();
    const row = await query.count({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }

  return {
    liveContracts,

    possibleDuplicates: (actor: Actor, input: Pick<CustomerInput, 'phone' | 'email'>) =>
      repo.findPossibleDuplicates(actor, { phone: input.phone, email: input.email }),

    async createCustomer(actor: Actor, input: CustomerInput, info: RequestInfo): Promise<number> {
      const values = await checkRules(actor, input);
      const now = toDbTime();
      await ensureCountRows(db, [values.owner_id]);
      return inTransaction(db, async (trx) => {
        const id = await repo.insert(trx, {
          ...values,
          owner_branch_id: await ownerBranchId(trx, values.owner_id),
          created_by: actor.id,
          last_contact_at: null,
          version: 1,
          deleted_at: null,
          created_at: now,
          updated_at: now,
        });
        await changeCustomerCounts(trx, [{ ownerId: values.owner_id, delta: 1 }]);
        await writeAudit(trx, {
          entity: 'customer',
          entityId: id,
          action: 'create',
          actorId: actor.id,
          changes: changedFields(null, values, CUSTOMER_FIELDS),
          ip: info.ip,
        });
        return id;
      });
    },

    /** Saves an edit made on `version`; a newer version in the database means a 409, nothing written. */
    async updateCustomer(actor: Actor, id: number, version: number, input: CustomerInput, info: RequestInfo): Promise<void> {
      const current = await repo.findById(actor, id);
      if (!current) throw new NotFoundError();
      if (current.version !== version) throw new ConflictError();
      const values = await checkRules(actor, input, current);
      const changes = changedFields(current, values, CUSTOMER_FIELDS);
      if (Object.keys(changes).length === 0) return;
      const moved = values.owner_id !== current.owner_id;
      if (moved) await ensureCountRows(db, [values.owner_id]);
      await inTransaction(db, async (trx) => {
        // A new owner brings their branch along (see withinBranch), and the customer to their count.
        const branch = moved ? { owner_branch_id: await ownerBranchId(trx, values.owner_id) } : {};
        const updated = await repo.updateIfVersion(trx, actor, id, version, { ...values, ...branch, updated_at: toDbTime() });
        if (updated === 0) throw new ConflictError();
        if (moved) {
          await changeCustomerCounts(trx, [
            { ownerId: current.owner_id, delta: -1 },
            { ownerId: values.owner_id, delta: 1 },
          ]);
        }
        await writeAudit(trx, { entity: 'customer', entityId: id, action: 'update', actorId: actor.id, changes, ip: info.ip });
      });
    },

    async deleteCustomer(actor: Actor, id: number, info: RequestInfo): Promise<CustomerDetail> {
      const current = await repo.findById(actor, id);
      if (!current) throw new NotFoundError();
      const now = toDbTime();
      await withCustomerOpportunities(db, id, { kind: 'delete', at: now }, actor.id, info, async (trx) => {
        const updated = await repo.updateIfVersion(trx, actor, id, current.version, { deleted_at: now, updated_at: now });
        if (updated === 0) throw new ConflictError();
        // A customer with live contracts stays: its receivables and approvals hang on it. Counted with
        // the customer's row locked, so a contract being created (which locks it too) is seen.
        const contracts = await liveContracts(id, trx);
        if (contracts > 0) throw new ValidationError({ _form: deleteRefusal(current.name, contracts) });
        await changeCustomerCounts(trx, [{ ownerId: current.owner_id, delta: -1 }]);
        await writeAudit(trx, { entity: 'customer', entityId: id, action: 'delete', actorId: actor.id, ip: info.ip });
      });
      return current;
    },

    async restoreCustomer(actor: Actor, id: number, info: RequestInfo): Promise<CustomerDetail> {
      const current = await repo.findById(actor, id, { includeDeleted: true });
      if (!current || !current.deleted_at) throw new NotFoundError();
      await ensureCountRows(db, [current.owner_id]);
      await withCustomerOpportunities(db, id, { kind: 'restore' }, actor.id, info, async (trx) => {
        const updated = await repo.updateIfVersion(trx, actor, id, current.version, { deleted_at: null, updated_at: toDbTime() });
        if (updated === 0) throw new ConflictError();
        await changeCustomerCounts(trx, [{ ownerId: current.owner_id, delta: 1 }]);
        await writeAudit(trx, { entity: 'customer', entityId: id, action: 'restore', actorId: actor.id, ip: info.ip });
      });
      return current;
    },
  };
}
