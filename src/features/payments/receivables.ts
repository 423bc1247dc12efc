import { fromCents, toCents } from '../../shared/money.js';

export type PlanAmounts = { amount: string; received_amount: string; due_date: string };

export type ReceivableSummary = {
  total: string;
  planned: string;
  unplanned: string;
  received: string;
  /** What the customer still owes under the contract: total − received. */
  outstanding: string;
  /** The part of the outstanding instalments already past their due date. */
  overdue: string;
};

/**
 * A contract's receivables, in cents: received is what the records brought in (kept on each plan),
 * outstanding the rest of the contract total, overdue the unpaid part of instalments due before
 * `today` (the user's own date, 'YYYY-MM-DD').
 */
export function summariseReceivables(contractTotal: string, plans: readonly PlanAmounts[], today: string): ReceivableSummary {
  const total = toCents(contractTotal);
  let planned = 0n;
  let received = 0n;
  let overdue = 0n;
  for (const plan of plans) {
    const amount = toCents(plan.amount);
    const got = toCents(plan.received_amount);
    planned += amount;
    received += got;
    if (plan.due_date < today && got < amount) overdue += amount - got;
  }
  return {
    total: fromCents(total),
    planned: fromCents(planned),
    unplanned: fromCents(total - planned),
    received: fromCents(received),
    outstanding: fromCents(total - received),
    overdue: fromCents(overdue),
  };
}

/** First and last day of the month of `today` ('YYYY-MM-DD'), for "due this month". */
export function monthOf(today: string): { first: string; last: string } {
  const [year, month] = today.split('-').map(Number);
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const mm = String(month).padStart(2, '0');
  return { first: `${year}-${mm}-01`, last: `${year}-${mm}-${String(lastDay).padStart(2, '0')}` };
}
