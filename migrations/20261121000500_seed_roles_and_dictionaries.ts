import type { Knex } from 'knex';

// Roles and dictionaries are reference data every installation needs, production included, so
// they arrive with the schema. Later permission keys are granted by later migrations.
const now = () => new Date().toISOString().slice(0, 19).replace('T', ' ');

const roles = [
  { code: 'admin', name_zh: '管理员', name_en: 'Administrator', data_scope: 'all' },
  { code: 'manager', name_zh: '销售经理', name_en: 'Sales manager', data_scope: 'department_tree' },
  { code: 'rep', name_zh: '销售代表', name_en: 'Sales rep', data_scope: 'own' },
];

const grants: Record<string, string[]> = {
  admin: [
    'customers.view', 'customers.create', 'customers.edit', 'customers.delete', 'customers.restore',
    'customers.assign', 'admin.users', 'admin.dictionaries',
  ],
  manager: [
    'customers.view', 'customers.create', 'customers.edit', 'customers.delete', 'customers.restore',
    'customers.assign',
  ],
  rep: ['customers.view', 'customers.create', 'customers.edit', 'customers.delete'],
};

const dictionaries: Record<string, Array<[code: string, zh: string, en: string]>> = {
  customer_source: [
    ['website', '官网', 'Website'],
    ['referral', '客户介绍', 'Referral'],
    ['exhibition', '展会', 'Trade show'],
    ['cold_call', '电话开发', 'Cold call'],
    ['advertising', '广告', 'Advertising'],
    ['other', '其他', 'Other'],
  ],
  industry: [
    ['it', '信息技术', 'IT'],
    ['manufacturing', '制造业', 'Manufacturing'],
    ['finance', '金融', 'Finance'],
    ['retail', '零售', 'Retail'],
    ['education', '教育', 'Education'],
    ['healthcare', '医疗', 'Healthcare'],
    ['other', '其他', 'Other'],
  ],
  customer_level: [
    ['A', 'A（重点客户）', 'A (key account)'],
    ['B', 'B（普通客户）', 'B (regular)'],
    ['C', 'C（非优先客户）', 'C (low priority)'],
  ],
  customer_status: [
    ['new', '新建', 'New'],
    ['contacted', '已联系', 'Contacted'],
    ['qualified', '已确认需求', 'Qualified'],
    ['converted', '已成交', 'Converted'],
    ['lost', '已流失', 'Lost'],
  ],
  followup_type: [
    ['call', '电话', 'Call'],
    ['visit', '拜访', 'Visit'],
    ['email', '邮件', 'Email'],
    ['wechat', '微信', 'WeChat'],
    ['meeting', '会议', 'Meeting'],
  ],
};

export async function up(knex: Knex): Promise<void> {
  await knex.transaction(async (trx) => {
    for (const role of roles) {
      if (await trx('roles').where('code', role.code).first()) continue;
      await trx('roles').insert({ ...role, created_at: now(), updated_at: now() });
    }
    for (const [code, permissions] of Object.entries(grants)) {
      const role = await trx('roles').where('code', code).first('id');
      for (const permission of permissions) {
        if (await trx('role_permissions').where({ role_id: role.id, permission }).first()) continue;
        await trx('role_permissions').insert({ role_id: role.id, permission });
      }
    }
    for (const [type, values] of Object.entries(dictionaries)) {
      for (const [index, [code, label_zh, label_en]] of values.entries()) {
        if (await trx('dictionaries').where({ type, code }).first()) continue;
        await trx('dictionaries').insert({ type, code, label_zh, label_en, sort: (index + 1) * 10, is_active: true });
      }
    }
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.transaction(async (trx) => {
    await trx('dictionaries').whereIn('type', Object.keys(dictionaries)).delete();
    await trx('role_permissions').delete();
    await trx('roles').whereIn('code', roles.map((r) => r.code)).delete();
  });
}
