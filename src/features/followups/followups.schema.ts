import { z } from 'zod';
import { localDateTime } from '../../shared/dates.js';
import { optionalFilter, optionalText } from '../../shared/fields.js';
import { idField, optionalId } from '../../shared/ids.js';

export const followupInput = z.object({
  type: z.string().trim().min(1).max(40),
  occurred_at: localDateTime,
  content: z.string().trim().min(1).max(5000),
  contact_id: optionalId,
  opportunity_id: optionalId,
  next_follow_up_at: localDateTime,
  next_action: optionalText(500),
});
export type FollowupInput = z.infer<typeof followupInput>;

export const FOLLOWUP_FIELDS = ['type', 'occurred_at', 'content', 'contact_id', 'opportunity_id', 'next_follow_up_at', 'next_action'] as const;

export const customerIdInput = z.object({ customer_id: idField });

export const followupListQuery = z.object({
  q: optionalFilter,
  type: optionalFilter,
});
export type FollowupListQuery = z.infer<typeof followupListQuery>;

/** The customer search on /followups/new. */
export const customerPickQuery = z.object({ q: optionalFilter });
