import type { Knex } from 'knex';
import type { Actor } from '../../authz/actor.js';
import { toDbTime } from '../../db/time.js';
import { changedFields, writeAudit } from '../../shared/audit.js';
import { ConflictError, NotFoundError, refusingDuplicate, ValidationError } from '../../shared/errors.js';
import type { RequestInfo } from '../../shared/request.js';
import { customerRepository } from '../customers/customers.repository.js';
import { contactRepository, type ContactDetail, type ContactRow } from './contacts.repository.js';
import { CONTACT_FIELDS, type ContactInput } from './contacts.schema.js';
import { inTransaction } from '../../db/transaction.js';

type Editable = Pick<ContactRow, (typeof CONTACT_FIELDS)[number]>;

const PHONE_KEY = { table: 'contacts', columns: ['customer_id', 'phone'], index: 'contacts_customer_phone' };
const phoneTaken = () => new ValidationError({ phone: { key: 'contacts.error.phone_taken' } });

/** Booleans read back as 0/1 from both databases; the audit trail and forms compare them as 0/1. */
function editable(input: ContactInput): Editable {
  return {
    name: input.name,
    title: input.title,
    phone: input.phone,
    email: input.email,
    wechat: input.wechat,
    is_key_decision_maker: input.is_key_decision_maker ? 1 : 0,
    birthday: input.birthday,
    remark: input.remark,
  };
}

function normalised(row: ContactRow): Editable {
  const values = Object.fromEntries(CONTACT_FIELDS.map((f) => [f, row[f]])) as Editable;
  return { ...values, is_key_decision_maker: row.is_key_decision_maker ? 1 : 0 };
}

export function contactService(db: Knex) {
  const repo = contactRepository(db);
  const customers = customerRepository(db);

  /**
   * The phone is unique within one customer. Asked first for a friendly message; the unique index
   * still decides when two saves race, and its violation becomes the same message.
   */
  async function checkPhone(customerId: number, values: Editable, exceptId?: number): Promise<void> {
    if (values.phone && (await repo.phoneTaken(customerId, values.phone, exceptId))) throw phoneTaken();
  }

  /** Two saves of one phone at once both pass checkPhone; the unique key refuses the second. */
  const uniquely = <T>(write: () => Promise<T>): Promise<T> => refusingDuplicate(PHONE_KEY, 'phone', 'contacts.error.phone_taken', write);

  /** The customer a new contact is for: live and in scope, else 404. */
  async function customerFor(actor: Actor, customerId: number) {
    const customer = await customers.findById(actor, customerId);
    if (!customer) throw new NotFoundError();
    return customer;
  }

  return {
    customerFor,

    async createContact(actor: Actor, customerId: number, input: ContactInput, info: RequestInfo): Promise<number> {
      await customerFor(actor, customerId);
      const values = editable(input);
      await checkPhone(customerId, values);
      const now = toDbTime();
      return uniquely(() =>
        inTransaction(db, async (trx) => {
          const id = await repo.insert(trx, {
            ...values,
            customer_id: customerId,
            created_by: actor.id,
            version: 1,
            created_at: now,
            updated_at: now,
          });
          await writeAudit(trx, {
            entity: 'contact',
            entityId: id,
            action: 'create',
            actorId: actor.id,
            changes: changedFields(null, { customer_id: customerId, ...values }, ['customer_id', ...CONTACT_FIELDS]),
            ip: info.ip,
          });
          return id;
        }),
      );
    },

    /** Saves an edit made on `version`; a newer version in the database means a 409, nothing written. */
    async updateContact(actor: Actor, id: number, version: number, input: ContactInput, info: RequestInfo): Promise<void> {
      const current = await repo.findById(actor, id);
      if (!current) throw new NotFoundError();
      if (current.version !== version) throw new ConflictError();
      const values = editable(input);
      const changes = changedFields(normalised(current), values, CONTACT_FIELDS);
      if (Object.keys(changes).length === 0) return;
      await checkPhone(current.customer_id, values, id);
      await uniquely(() =>
        inTransaction(db, async (trx) => {
          const updated = await repo.updateIfVersion(trx, actor, id, version, { ...values, updated_at: toDbTime() });
          if (updated === 0) throw new ConflictError();
          await writeAudit(trx, { entity: 'contact', entityId: id, action: 'update', actorId: actor.id, changes, ip: info.ip });
        }),
      );
    },

    /** Removes the row; the audit row keeps what it held. Follow-ups that named it keep their text. */
    async deleteContact(actor: Actor, id: number, version: number | undefined, info: RequestInfo): Promise<ContactDetail> {
      const current = await repo.findById(actor, id);
      if (!current) throw new NotFoundError();
      if (version !== undefined && current.version !== version) throw new ConflictError();
      await inTransaction(db, async (trx) => {
        const deleted = await repo.deleteIfVersion(trx, actor, id, current.version);
        if (deleted === 0) throw new ConflictError();
        await writeAudit(trx, {
          entity: 'contact',
          entityId: id,
          action: 'delete',
          actorId: actor.id,
          changes: changedFields({ customer_id: current.customer_id, ...normalised(current) }, {}, ['customer_id', ...CONTACT_FIELDS]),
          ip: info.ip,
        });
      });
      return current;
    },
  };
}
