import { isLocked } from '../../auth/lockout.js';
import type { Translate } from '../../i18n/i18n.js';
import type { FieldChanges } from '../../shared/audit.js';
import type { Row } from '../../kernel/entity/define-entity.js';

// An account's state as the list and the edit page show it, and as an unlock changes it.

const TONES = { active: 'success', inactive: 'secondary', locked: 'warning' } as const;

export function accountBadges(row: Row, t: Translate) {
  const states: Array<keyof typeof TONES> = [row.is_active ? 'active' : 'inactive'];
  if (isLocked(row.locked_until as string | null)) states.push('locked');
  return states.map((s) => ({ text: t(`users.status.${s}`), tone: TONES[s], test: `status-${s}` }));
}

/** What an unlock (and a password reset) writes: the lock lifted, the failed attempts forgotten. */
export const UNLOCKED = { locked_until: null, failed_logins: 0 };

/** The lockout fields an unlock clears, as audit changes (none when nothing is counted). */
export function lockChanges(row: Row): FieldChanges {
  const changes: FieldChanges = {};
  if (row.locked_until) changes.locked_until = { before: row.locked_until, after: null };
  if (Number(row.failed_logins) > 0) changes.failed_logins = { before: row.failed_logins, after: 0 };
  return changes;
}
