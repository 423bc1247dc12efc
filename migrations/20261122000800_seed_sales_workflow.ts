import type { Knex } from 'knex';

// The reference data the sales workflow needs in every installation: pipeline stages, the lost
// reasons and payment methods, the default settings, and the new permission keys for each role.
const now = () => new Date().toISOString().slice(0, 19).replace('T', ' ');

const stages: Array<[code: string, zh: string, en: string, probability: number, kind: 'open' | 'won' | 'lost']> = [
  ['initial_contact', '初步接触', 'Initial contact', 10, 'open'],
  ['needs_analysis', '需求分析', 'Needs analysis', 30, 'open'],
  ['proposal', '方案报价', 'Proposal', 50, 'open'],
  ['negotiation', '谈判审核', 'Negotiation', 70, 'open'],
  ['won', '赢单', 'Won', 100, 'won'],
  ['lost', '输单', 'Lost', 0, 'lost'],
];

const dictionaries: Record<string, Array<[code: string, zh: string, en: string]>> = {
  lost_reason: [
    ['price', '价格因素', 'Price'],
    ['competitor', '选择了竞争对手', 'Chose a competitor'],
    ['no_budget', '没有预算', 'No budget'],
    ['no_decision', '需求取消或搁置', 'No decision'],
    ['other', '其他', 'Other'],
  ],
  payment_method: [
    ['bank_transfer', '银行转账', 'Bank transfer'],
    ['cash', '现金', 'Cash'],
    ['cheque', '支票', 'Cheque'],
    ['alipay', '支付宝', 'Alipay'],
    ['wechat_pay', '微信支付', 'WeChat Pay'],
  ],
};

const settings: Record<string, string> = { stale_customer_days: '30' };

const everyone = [
  'followups.create',
  'opportunities.view', 'opportunities.create', 'opportunities.edit', 'opportunities.delete',
  'products.view',
  'quotes.view', 'quotes.create', 'quotes.edit',
  'contracts.view', 'contracts.create', 'contracts.edit',
  'payments.view', 'payments.create',
];
const grants: Record<string, string[]> = {
  admin: [...everyone, 'contracts.approve', 'admin.products', 'admin.stages', 'admin.settings'],
  manager: [...everyone, 'contracts.approve'],
  rep: everyone,
};

export async function up(knex: Knex): Promise<void> {
  await knex.transaction(async (trx) => {
    for (const [index, [code, name_zh, name_en, probability, kind]] of stages.entries()) {
      if (await trx('pipeline_stages').where({ code }).first()) continue;
      const row = { code, name_zh, name_en, probability, kind, sort: (index + 1) * 10, is_active: true };
      await trx('pipeline_stages').insert({ ...row, created_at: now(), updated_at: now() });
    }
    for (const [type, values] of Object.entries(dictionaries)) {
      for (const [index, [code, label_zh, label_en]] of values.entries()) {
        if (await trx('dictionaries').where({ type, code }).first()) continue;
        await trx('dictionaries').insert({ type, code, label_zh, label_en, sort: (index + 1) * 10, is_active: true });
      }
    }
    for (const [key, value] of Object.entries(settings)) {
      if (await trx('settings').where({ key }).first()) continue;
      await trx('settings').insert({ key, value, updated_at: now() });
    }
    for (const [code, permissions] of Object.entries(grants)) {
      const role = await trx('roles').where('code', code).first('id');
      if (!role) continue;
      for (const permission of permissions) {
        if (await trx('role_permissions').where({ role_id: role.id, permission }).first()) continue;
        await trx('role_permissions').insert({ role_id: role.id, permission });
      }
    }
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.transaction(async (trx) => {
    const keys = [...new Set(Object.values(grants).flat())];
    await trx('role_permissions').whereIn('permission', keys).delete();
    await trx('settings').whereIn('key', Object.keys(settings)).delete();
    await trx('dictionaries').whereIn('type', Object.keys(dictionaries)).delete();
    await trx('pipeline_stages').whereIn('code', stages.map(([code]) => code)).delete();
  });
}
