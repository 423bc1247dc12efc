import type { QuoteStatus } from './quotes.schema.js';

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

export function canMove(from: QuoteStatus | string, to: QuoteStatus): boolean {
  return allowedTransitions(from).includes(to);
}

export const isEditable = (status: string) => status === 'draft';
