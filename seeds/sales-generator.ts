// Deterministic sales activity for the n-th customer, used by the demo seed and the benchmark:
// contacts, a history of follow-ups that ends at the customer's last_contact_at, and for every
// third customer an opportunity. Same n, same rows.
const contactNames = ['陈经理', '刘总', '王工', '张主任', 'Alice Chen', 'Tom Baker', '李采购', 'Grace Lin'];
const titles = ['采购经理', '总经理', '技术总监', 'IT Manager', '财务主管', 'Buyer'];
const contents = [
  '电话沟通了需求，客户希望下周看方案。',
  '拜访客户，演示了产品，对报表功能很感兴趣。',
  'Sent the price list by e-mail; waiting for feedback.',
  '微信确认了预算范围，需要领导审批。',
  '会议讨论合同条款，付款方式待定。',
  'Call: asked for a trial account for three users.',
];
const nextActions = ['发送方案', '安排演示', 'Send the quote', '跟进预算审批', 'Book a meeting'];
const FOLLOWUP_TYPES = ['call', 'visit', 'email', 'wechat', 'meeting'];
const opportunityTitles = ['年度软件采购', 'CRM 实施项目', 'Hardware refresh', '培训服务', 'Support renewal', '数据迁移项目'];
const CURRENCIES = ['CNY', 'CNY', 'CNY', 'USD'];

const DAY = 24 * 3600 * 1000;
const pick = <T>(list: readonly T[], n: number): T => list[n % list.length];
const hash = (n: number, salt: number) => Math.imul(n + 1 + salt * 7919, 2654435761) >>> 0;
const dbTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
const dbDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function generateContacts(n: number, customerId: number, createdBy: number, now: string) {
  const count = n % 4 === 3 ? 0 : 1 + (hash(n, 1) % 2); // individuals (every fourth) have none
  return Array.from({ length: count }, (_, i) => ({
    customer_id: customerId,
    name: pick(contactNames, hash(n, 2 + i)),
    title: pick(titles, hash(n, 3 + i)),
    phone: `1${5 + i}${String(n).padStart(9, '0')}`,
    email: `person${i}.${n}@example.com`,
    wechat: i === 0 ? `wx_${n}` : null,
    is_key_decision_maker: i === 0,
    birthday: null,
    remark: null,
    created_by: createdBy,
    version: 1,
    created_at: now,
    updated_at: now,
  }));
}

/**
 * `count` follow-ups, newest at `lastContactAt` (carrying the customer's next follow-up), each
 * earlier one 5 to 20 days before the next.
 */
export function generateFollowUps(
  n: number,
  count: number,
  customer: { id: number; ownerId: number; lastContactAt: string | null; nextFollowUpAt: string | null },
) {
  if (!customer.lastContactAt || count === 0) return [];
  let at = new Date(customer.lastContactAt.replace(' ', 'T') + 'Z').getTime();
  const rows = [];
  for (let i = 0; i < count; i++) {
    const h = hash(n, 10 + i);
    rows.push({
      customer_id: customer.id,
      contact_id: null,
      opportunity_id: null,
      type: pick(FOLLOWUP_TYPES, h),
      occurred_at: dbTime(at),
      content: pick(contents, h >>> 3),
      next_follow_up_at: i === 0 ? customer.nextFollowUpAt : dbTime(at + 7 * DAY),
      next_action: i === 0 && customer.nextFollowUpAt ? pick(nextActions, h >>> 5) : null,
      created_by: customer.ownerId,
      created_at: dbTime(at),
      updated_at: dbTime(at),
    });
    at -= (5 + (h % 16)) * DAY;
  }
  return rows;
}

export type StageRef = { id: number; probability: number; kind: string };

/** Every third customer has an opportunity, closing within three months either side of `nowMs`. */
export function generateOpportunity(n: number, customerId: number, ownerId: number, stages: StageRef[], nowMs: number) {
  if (n % 3 !== 0) return null;
  const h = hash(n, 20);
  const stage = stages[h % stages.length];
  const enteredAt = dbTime(nowMs - (1 + (h % 40)) * DAY);
  return {
    customer_id: customerId,
    title: `${pick(opportunityTitles, h >>> 4)} ${n}`,
    amount: `${1000 + (h % 500) * 100}.${String(h % 100).padStart(2, '0')}`,
    currency: pick(CURRENCIES, h >>> 7),
    stage_id: stage.id,
    probability: stage.probability,
    expected_close_date: dbDate(nowMs + (((h >>> 9) % 180) - 90) * DAY),
    stage_entered_at: enteredAt,
    lost_reason: stage.kind === 'lost' ? 'price' : null,
    remark: null,
    owner_id: ownerId,
    created_by: ownerId,
    version: 1,
    deleted_at: null,
    created_at: enteredAt,
    updated_at: enteredAt,
  };
}
