import type { Request, Response } from 'express';
import type { Knex } from 'knex';
import type { z } from 'zod';
import { hasPermission } from '../../authz/actor.js';
import { actorOf } from '../../authz/guards.js';
import { ConflictError, NotFoundError, ValidationError, type FieldErrors } from '../../shared/errors.js';
import { redirectWithFlash } from '../../shared/flash.js';
import { parseId, queryId } from '../../shared/ids.js';
import { renderPage } from '../../shared/render.js';
import { idParam, requestInfo } from '../../shared/request.js';
import { parseForm } from '../../shared/validation.js';
import { versionInput } from '../../shared/version.js';
import type { Translate } from '../../i18n/i18n.js';
import { titleOf, type AnyEntity, type Row } from '../entity/define-entity.js';
import { noLookups, wantRows } from '../entity/lookups.js';
import { viewContext } from '../entity/view-context.js';
import { repositoryOf } from '../data/repository.js';
import { parentOf } from '../data/scope.js';
import { InUseError, write, type AuditOf, type Values } from '../data/write.js';
import { formChoices } from './field-choices.js';
import { readPart, type FormPart } from './form-part.js';
import { showRecord, showUrl } from './record-show.js';
import { differingFields, formValuesOf, typedFormValues, type FormValues } from './form-values.js';
import { optionalText, recordList } from './record-list.js';
import { admits, hasRoute, url } from './routes.js';

// The pages every entity gets: list, new/create, show, edit/update, delete (asked first), restore.
// 422 keeps every typed value with a message by each field; 409 keeps them too and lists, by label,
// only the fields someone else saved differently; success is a 303 with a flash. A delete the entity
// refuses (still in use) says why before asking, and offers deactivation where records retire.

export type PageOptions = {
  /** A new record with a parent may start from a page that searches the parent (else 404 without one); `param` names its search (default q). */
  pickParent?: boolean | { param: string };
  /** The show page's own view (it gets the generic locals: record, fields, history, parent, notice, and `showLocals`). */
  showView?: string;
  showLocals?(req: Request, row: Row): Promise<Record<string, unknown>>;
  /** Rows edited on the form beside its fields (a document's lines), read and written with it; shown as its parts' inputs. */
  formPart?: FormPart;
  /** A record its form may no longer change (a document already sent): the notice's key; edit and update answer 409 with its page. */
  readOnly?(row: Row): string | undefined;
  /** A show page of the entity's own, handed the record found in scope (deleted ones for restorers). */
  show?(req: Request, res: Response, row: Row): Promise<void>;
  /** The page a new record's form lives on (a tree beside the form that adds to it): the form's locals plus `newLocals`. */
  newView?: string;
  newLocals?(req: Request): Promise<Record<string, unknown>>;
  /** Why a record may not be deleted, said on the confirmation page before asking. */
  deleteRefusal?(db: Knex, row: Row): Promise<FieldErrors[string] | undefined>;
  /**
   * Something to show before a new record is saved (possible duplicates): the form comes back with
   * the notice's view inside it, which carries the field that confirms the save next time.
   */
  noticeBeforeCreate?(db: Knex, req: Request, values: Values): Promise<{ view: string; locals: Record<string, unknown> } | undefined>;
  afterCreate?(id: number, values: Values): string;
  afterUpdate?(id: number): string;
  afterDelete?(row: Row): string;
  /**
   * Inputs a new record's form reads beside its fields and never shows again (a password typed
   * twice): their parse, and what they add to the create (columns, audit). Shown by formParts.new.inputs.
   */
  createInputs?: { input: z.ZodType<Values>; extend(data: Values): Promise<{ values: Values; audit?: AuditOf }> };
  /** What a form adds, by mode: `inputs` inside it after the fields, `aside` beside it (the record's own actions). */
  formParts?: Partial<Record<'new' | 'edit', FormParts>>;
};

/** Views included by the form; `locals` gives them what they show of the record (undefined on a new one). */
export type FormParts = { inputs?: string; aside?: string; locals?(req: Request, row: Row | undefined): Record<string, unknown> };

/** A button on a record's page that POSTs to one of its routes (deactivate, activate). */
type PageAction = { href: string; label: string; test: string };

type Parent = { field: string; id: number; title: string; href: string; label: string };

export { showUrl } from './record-show.js';

/** The form fields this actor sets; a field behind a permission they lack keeps its default (or value). */
const formFieldsFor = (e: AnyEntity, req: Request) =>
  e.formFields.filter((k) => !e.fields[k].permission || hasPermission(req.user, e.fields[k].permission));

/** The fields a sent form sets: one behind a permission left empty keeps its default (or value) too. */
const sentFields = (e: AnyEntity, req: Request) => formFieldsFor(e, req).filter((k) => !e.fields[k].permission || !!req.body?.[k]);

/** The list a record is shown in, narrowed to its group where the list has tabs for it. */
export function listUrlOf(e: AnyEntity, row: Record<string, unknown>): string {
  const within = e.ordered?.within;
  return url(`${e.plural}.index`, {}, within && e.list?.filters?.[within] ? { [within]: String(row[within] ?? '') } : {});
}

/** Where a record is seen: its show page, or its list for an entity without one. */
export const homeOf = (e: AnyEntity, row: Record<string, unknown>) => (hasRoute(`${e.plural}.show`) ? url(`${e.plural}.show`, { id: Number(row.id) }) : listUrlOf(e, row));

/** A refusal's messages, for a page that has no field to put them by (a list, a confirmation). */
export const problemsOf = (errors: FieldErrors, t: Translate) => [...new Set(Object.values(errors).map((f) => t(f.key, f.params)))];

/** A question or a refusal may name any column of the record ("{name}" ({code})). */
const wording = (e: AnyEntity, row: Row, locale: string) => ({ ...Object.fromEntries(Object.entries(row).map(([k, v]) => [k, String(v ?? '')])), name: titleOf(e, row, locale) });

/** Whether a record retired rather than deleted is active now (both dialects hand back 1/0 or true/false). */
const isActive = (e: AnyEntity, row: Row) => !e.activeColumn || Boolean(Number(row[e.activeColumn]));

export function recordPages(db: Knex, e: AnyEntity, o: PageOptions = {}) {
  const repo = repositoryOf(e);
  const r = (name: string, id?: number) => url(`${e.plural}.${name}`, id === undefined ? {} : { id });

  async function parentOfRecord(req: Request, id: number | undefined): Promise<Parent | undefined> {
    const p = parentOf(e);
    if (!p) return undefined;
    if (id === undefined) throw new NotFoundError();
    const row = await repositoryOf(p.entity).findById({ db, actor: actorOf(req) }, id);
    if (!row) throw new NotFoundError();
    return { field: p.field, id, title: String(row[p.entity.titleColumn]), href: showUrl(p.entity, id), label: req.t(e.labelKey(p.field)) };
  }

  async function showForm(
    req: Request,
    res: Response,
    mode: 'new' | 'edit',
    values: FormValues,
    extra: { status?: number; errors?: FieldErrors; parent?: Parent; row?: Row; conflict?: unknown; notice?: { view: string; locals: Record<string, unknown> } },
  ) {
    const { status = 200, errors = {}, parent, row, conflict, notice } = extra;
    // Pickers narrowed to the record's parent (`within`) need its id, which the form does not edit.
    const p = parentOf(e);
    const current = p ? { ...values, [p.field]: String(parent?.id ?? row?.[p.field] ?? '') } : values;
    const choices = await formChoices(db, e, actorOf(req), req.locale, req.t, current, row?.id);
    // A field fixed once the record exists is shown as the record holds it; no input, nothing posted.
    const fixed = mode === 'edit' ? e.formFields.filter((k) => e.fields[k].createOnly) : [];
    const c = fixed.length ? await viewContext(db, req, res, wantRows(noLookups(), Object.fromEntries(fixed.map((k) => [k, e.fields[k]])), [row!])) : undefined;
    const hint = (key: string) => optionalText(req, `${e.plural}.field_hint.${key}_${mode}`) ?? optionalText(req, `${e.plural}.field_hint.${key}`);
    const fields = formFieldsFor(e, req).map((key) => ({
      key,
      field: e.fields[key],
      label: req.t(e.labelKey(key)),
      hint: hint(key),
      shown: c && fixed.includes(key) ? e.fields[key].display(row![key], c) : undefined,
    }));
    const action = mode === 'new' ? r('create') : r('update', row!.id);
    const cancelUrl = mode === 'edit' ? homeOf(e, row!) : (parent?.href ?? listUrlOf(e, values));
    const title = req.t(`${e.plural}.${mode}_title`);
    const own = mode === 'new' && o.newView ? { view: o.newView, locals: await o.newLocals?.(req) } : { view: 'kernel/form', locals: {} };
    const parts = o.formParts?.[mode] ?? (o.formPart ? { inputs: o.formPart.view } : {});
    // A posted form shows the form part as typed; an edit form opens with the stored rows.
    const typedPart = o.formPart ? await o.formPart.locals(db, req.method === 'POST' ? { body: req.body } : { row }) : {};
    const partLocals = { ...parts.locals?.(req, row), ...typedPart, parts, mode, record: row };
    await renderPage(res, own.view, { title, name: e.name, plural: e.plural, fields, values, errors, choices, parent, action, cancelUrl, conflict, notice, ...partLocals, ...own.locals }, status);
  }

  async function found(req: Request, deleted: 'exclude' | 'include' = 'exclude'): Promise<Row> {
    const row = await repo.findById({ db, actor: actorOf(req) }, idParam(req), deleted);
    if (!row) throw new NotFoundError();
    return row;
  }

  const flashName = (req: Request, values: Values | Row) => ({ name: titleOf(e, values, req.locale) });
  /** Fields fixed once the record exists are left out of an update, whatever the request says. */
  const editableFor = (req: Request) => sentFields(e, req).filter((k) => !e.fields[k].createOnly);

  /** A record retired rather than deleted: the button that deactivates it, or activates it again, for those the route admits. */
  function activeActions(req: Request, row: Row): PageAction[] {
    if (!e.activeColumn) return [];
    const action = isActive(e, row) ? 'deactivate' : 'activate';
    return admits(`${e.plural}.${action}`, req.user) ? [{ href: r(action, row.id), label: req.t(`${e.plural}.${action}`), test: action }] : [];
  }

  /**
   * Asks before deleting, or says why not: a record still `inUse` (a locale key; 409 once a delete
   * was refused) with deactivation offered instead, or a rule's refusal (errors._form); other errors
   * are the rules' problems.
   */
  async function deletePage(req: Request, res: Response, row: Row, status: number, why: { inUse?: string; errors?: FieldErrors } = {}) {
    const p = parentOf(e);
    const c = p ? await viewContext(db, req, res, wantRows(noLookups(), { [p.field]: e.fields[p.field] }, [row])) : undefined;
    const params = { ...wording(e, row, req.locale), parent: p && c ? c.lookups.ref(p.entity.name, Number(row[p.field])) : '' };
    const { _form, ...rules } = why.errors ?? {};
    const refusal = why.inUse ? { key: why.inUse } : _form;
    const note = isActive(e, row) ? undefined : optionalText(req, `${e.plural}.already_inactive`);
    await renderPage(res, 'kernel/delete', {
      title: req.t(`${e.plural}.delete_title`),
      question: req.t(`${e.plural}.delete_question`, params),
      errors: refusal ? { _form: { key: refusal.key, params: { ...params, ...refusal.params } } } : {},
      instead: why.inUse ? { actions: activeActions(req, row).filter((a) => a.test === 'deactivate'), note } : undefined,
      problems: problemsOf(rules, req.t),
      action: r('delete', row.id),
      cancelUrl: homeOf(e, row),
      version: row.version,
    }, status);
  }
  const may = (req: Request, action: keyof AnyEntity['permissions']) => !!e.permissions[action] && hasPermission(req.user, e.permissions[action]);
  const visible = (req: Request, key: string) => !e.fields[key]?.readPermission || hasPermission(req.user, e.fields[key].readPermission);

  /** The record's page; `status` and `notice` when it answers an action refused (409, 422). */
  async function renderShow(req: Request, res: Response, row: Row, status = 200, notice?: string): Promise<void> {
    const link = (name: string) => (hasRoute(`${e.plural}.${name}`) ? r(name, row.id) : null);
    const links = { edit: link('edit'), delete: link('delete.confirm'), restore: may(req, 'restore') ? link('restore') : null, index: r('index') };
    const can = { edit: may(req, 'edit') && !o.readOnly?.(row), delete: may(req, 'delete'), restore: may(req, 'restore') };
    const locals = { links, can, actions: activeActions(req, row), notice, ...(await o.showLocals?.(req, row)) };
    await showRecord(db, e, req, res, row, { view: o.showView, locals, status, visible: (k) => visible(req, k) });
  }

  /** A read-only record's edit and update answer 409 with its page and why. */
  const refusedEdit = async (req: Request, res: Response, row: Row) => {
    const notice = o.readOnly?.(row);
    return notice ? (await renderShow(req, res, row, 409, req.t(notice)), true) : false;
  };

  return {
    /** For an entity's own actions beside these pages (a status move): its record in scope, and its page. */
    found,
    renderShow,
    index: (req: Request, res: Response) => recordList(db, e, req, res, may(req, 'restore')),

    newForm: async (req: Request, res: Response) => {
      const p = parentOf(e);
      const parentId = p ? queryId(req.query, p.field) : undefined;
      if (p && parentId === undefined && o.pickParent) {
        const param = typeof o.pickParent === 'object' ? o.pickParent.param : 'q';
        const q = typeof req.query[param] === 'string' ? String(req.query[param]).trim().slice(0, 100) : '';
        const matches = q ? await repositoryOf(p.entity).choices({ db, actor: actorOf(req) }, q) : [];
        const title = req.t(`${e.plural}.new_title`);
        return renderPage(res, 'kernel/pick-parent', { title, q, param, matches, field: p.field, newUrl: r('new'), hint: req.t(`${e.plural}.pick_parent`) });
      }
      const parent = await parentOfRecord(req, parentId);
      const values = { ...typedFormValues({}, e.formFields), ...(e.defaults?.(actorOf(req)) ?? {}) };
      // A new record of an ordered entity starts in the group (the tab) the list showed.
      const within = e.ordered?.within;
      if (within && typeof req.query[within] === 'string') values[within] = req.query[within];
      await showForm(req, res, 'new', values, { parent });
    },

    create: async (req: Request, res: Response) => {
      const actor = actorOf(req);
      const p = parentOf(e);
      const parent = await parentOfRecord(req, p ? (parseId(req.body?.[p.field]) ?? undefined) : undefined);
      const values = typedFormValues(req.body, e.formFields);
      if (o.formPart?.redisplay?.(req.body)) return showForm(req, res, 'new', values, { parent });
      const shown = sentFields(e, req);
      const hidden = e.formFields.filter((k) => !shown.includes(k));
      const fields = parent ? [...e.formFields, parent.field] : e.formFields;
      const defaults = e.defaults?.(actor) ?? {};
      const body = { ...(req.body as object), ...Object.fromEntries(hidden.map((k) => [k, defaults[k] ?? ''])) };
      const parsed = parseForm(e.inputFor(fields), body);
      const extra = o.createInputs ? parseForm(o.createInputs.input, req.body) : ({ ok: true, data: {} } as const);
      const part = await readPart(db, o.formPart, req.body);
      const errors = { ...(parsed.ok ? {} : parsed.errors), ...(extra.ok ? {} : extra.errors), ...part.errors };
      if (!parsed.ok || !extra.ok || Object.keys(errors).length) return showForm(req, res, 'new', values, { status: 422, errors, parent });
      const notice = await o.noticeBeforeCreate?.(db, req, parsed.data);
      if (notice) return showForm(req, res, 'new', values, { parent, notice });
      try {
        const more = o.createInputs ? await o.createInputs.extend(extra.data) : { values: {} };
        const op = { kind: 'create', values: { ...parsed.data, ...more.values, ...part.values }, audit: more.audit, related: part.related } as const;
        const saved = await write(db, e, op, actor, requestInfo(req));
        const next = o.afterCreate?.(saved.id, saved.values) ?? homeOf(e, { ...saved.values, id: saved.id });
        await redirectWithFlash(req, res, next, req.t(`${e.plural}.created`, flashName(req, saved.values)));
      } catch (err) {
        if (err instanceof ValidationError) return showForm(req, res, 'new', values, { status: 422, errors: err.fields, parent });
        throw err;
      }
    },

    show: async (req: Request, res: Response) => {
      const row = await found(req, may(req, 'restore') ? 'include' : 'exclude');
      return o.show ? o.show(req, res, row) : renderShow(req, res, row);
    },

    editForm: async (req: Request, res: Response) => {
      const row = await found(req);
      if (await refusedEdit(req, res, row)) return;
      await showForm(req, res, 'edit', formValuesOf(e, row, res.locals.timeZone), { row });
    },

    update: async (req: Request, res: Response) => {
      const actor = actorOf(req);
      const row = await found(req);
      if (await refusedEdit(req, res, row)) return;
      const values = { ...formValuesOf(e, row, res.locals.timeZone), ...typedFormValues(req.body, editableFor(req)) };
      const version = versionInput.safeParse(req.body);
      if (!version.success) throw new NotFoundError();
      if (o.formPart?.redisplay?.(req.body)) return showForm(req, res, 'edit', values, { row });
      const parsed = parseForm(e.inputFor(editableFor(req)), req.body);
      const part = await readPart(db, o.formPart, req.body, row);
      const errors = { ...(parsed.ok ? {} : parsed.errors), ...part.errors };
      if (!parsed.ok || Object.keys(errors).length) return showForm(req, res, 'edit', values, { status: 422, errors, row });
      try {
        const op = { kind: 'update' as const, id: row.id, version: version.data.version, values: { ...parsed.data, ...part.values }, related: part.related };
        await write(db, e, op, actor, requestInfo(req));
        const saved = { ...row, ...parsed.data };
        await redirectWithFlash(req, res, o.afterUpdate?.(row.id) ?? homeOf(e, saved), req.t(`${e.plural}.updated`, flashName(req, saved)));
      } catch (err) {
        if (err instanceof ValidationError) return showForm(req, res, 'edit', values, { status: 422, errors: err.fields, row });
        if (!(err instanceof ConflictError)) throw err;
        const latest = await found(req);
        if (await refusedEdit(req, res, latest)) return;
        const saved = formValuesOf(e, latest, res.locals.timeZone);
        const c = await viewContext(db, req, res, wantRows(noLookups(), e.fields, [latest]));
        const differing = differingFields(e, saved, values).map((k) => ({ label: req.t(e.labelKey(k)), value: e.fields[k].display(latest[k], c) || '—' }));
        // The hidden version becomes the current one, so saving again is a deliberate overwrite.
        return showForm(req, res, 'edit', { ...values, version: saved.version }, { status: 409, row: latest, conflict: { differing } });
      }
    },

    deleteConfirm: async (req: Request, res: Response) => {
      const row = await found(req);
      const inUse = await e.inUse?.(db, row);
      if (inUse) return deletePage(req, res, row, 200, { inUse });
      const refusal = await o.deleteRefusal?.(db, row);
      await deletePage(req, res, row, 200, refusal ? { errors: { _form: refusal } } : {});
    },

    remove: async (req: Request, res: Response) => {
      const version = versionInput.safeParse(req.body);
      let result;
      try {
        result = await write(db, e, { kind: 'delete', id: idParam(req), version: version.success ? version.data.version : undefined }, actorOf(req), requestInfo(req));
      } catch (err) {
        if (err instanceof InUseError) return deletePage(req, res, await found(req), err.status, { inUse: err.reason });
        if (!(err instanceof ValidationError)) throw err;
        return deletePage(req, res, await found(req), 422, { errors: err.fields });
      }
      const row = result.before!;
      await redirectWithFlash(req, res, o.afterDelete?.(row) ?? listUrlOf(e, row), req.t(`${e.plural}.deleted`, flashName(req, row)));
    },

    restore: async (req: Request, res: Response) => {
      const version = versionInput.safeParse(req.body);
      const result = await write(db, e, { kind: 'restore', id: idParam(req), version: version.success ? version.data.version : undefined }, actorOf(req), requestInfo(req));
      await redirectWithFlash(req, res, r('show', result.id), req.t(`${e.plural}.restored`, flashName(req, result.before!)));
    },
  };
}
