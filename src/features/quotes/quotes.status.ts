import type { Hook } from '../../kernel/data/hooks.js';
import { ConflictError } from '../../shared/errors.js';

export const QUOTE_STATUSES = ['draft', 'sent', 'accepted', 'rejected'] as const;
export type QuoteStatus = (typeof QUOTE_STATUSES)[number];

// A quote is written as a draft, sent to the customer, and then accepted or rejected. Only a
// draft can be edited: what the customer saw must stay what was sent.
const NEXT: Record<QuoteStatus, readonly QuoteStatus[]> = {
  draft: ['sent'],
  sent: ['accepted', 'rejected'],
  accepted: [],
  rejected: [],
};

export function allowedTransitions(from: QuoteStatus | string): readonly QuoteStatus[] {
  return NEXT[from as QuoteStatus] ?? [];
}

export function canMove(from: QuoteStatus | string, to: QuoteStatus | string): boolean {
  return allowedTransitions(from).includes(to as QuoteStatus);
}

export const isEditable = (status: string) => status === 'draft';

/** Whoever writes a quote: a new one is its author's draft, only a draft is edited, a status moves only along NEXT. */
export const quoteStatusHook: Hook = {
  async before(c) {
    if (c.op.kind === 'create') return { status: 'draft', owner_id: c.actor.id };
    const from = String(c.before?.status);
    if (c.op.kind === 'update' && !isEditable(from)) throw new ConflictError();
    if (c.op.kind === 'patch' && 'status' in c.values && !canMove(from, String(c.values.status))) throw new ConflictError();
  },
};
