import { isUniqueViolation, type UniqueKey } from '../db/errors.js';

// Typed errors; shared/error-handler.ts maps each to a status code and an error page.
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends HttpError {
  constructor(message = 'Not found') {
    super(404, message);
  }
}

export class ForbiddenError extends HttpError {
  constructor(message = 'Forbidden') {
    super(403, message);
  }
}

/** Field name → translation key of the message shown beside that field. */
export type FieldErrors = Record<string, { key: string; params?: Record<string, string | number> }>;

export class ValidationError extends HttpError {
  constructor(readonly fields: FieldErrors) {
    super(422, 'Invalid input');
  }
}

/** Someone else saved the record since the form was opened (optimistic locking). */
export class ConflictError extends HttpError {
  constructor(message = 'Conflict') {
    super(409, message);
  }
}

/**
 * Runs a write whose value must be unique; when a concurrent save took the value first (the check
 * before it passed for both), the database's unique key refuses it and the user gets the field's 422.
 */
export async function refusingDuplicate<T>(key: UniqueKey, field: string, messageKey: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isUniqueViolation(err, key)) throw new ValidationError({ [field]: { key: messageKey } });
    throw err;
  }
}
