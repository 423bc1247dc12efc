// Deterministic fake customers, Chinese and English, used by the demo seed and the benchmark.
const surnames = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭'];
const givenNames = ['伟', '芳', '娜', '敏', '静', '磊', '强', '洋', '艳', '勇', '军', '杰', '娟', '涛', '明', '超'];
const cities = ['北京', '上海', '广州', '深圳', '杭州', '南京', '成都', '武汉', '苏州', '西安'];
const trades = ['科技', '贸易', '制造', '信息', '网络', '医疗', '教育', '物流', '电子', '食品'];
const firstNames = ['James', 'Mary', 'John', 'Linda', 'Robert', 'Susan', 'Michael', 'Karen', 'David', 'Emma', 'Oliver', 'Sophia'];
const lastNames = ['Smith', 'Johnson', 'Brown', 'Taylor', 'Miller', 'Wilson', 'Moore', 'Clark', 'Walker', 'Young', 'King', 'Scott'];
const companySuffix = ['Ltd', 'Inc', 'Group', 'Trading', 'Systems', 'Partners'];

export const INDUSTRIES = ['it', 'manufacturing', 'finance', 'retail', 'education', 'healthcare', 'other'];
export const SOURCES = ['website', 'referral', 'exhibition', 'cold_call', 'advertising', 'other'];
export const LEVELS = ['A', 'B', 'C'];
export const STATUSES = ['new', 'contacted', 'qualified', 'converted', 'lost'];

const pick = <T>(list: T[], n: number): T => list[n % list.length];

export type GeneratedCustomer = {
  kind: string;
  name: string;
  company: string;
  phone: string;
  email: string;
  industry: string;
  source: string;
  level: string;
  status: string;
  region: string;
};

/** The n-th customer: every third one is English, every fourth an individual. */
export function generateCustomer(n: number): GeneratedCustomer {
  const english = n % 3 === 2;
  const individual = n % 4 === 3;
  const h = Math.imul(n + 1, 2654435761) >>> 0;
  const city = pick(cities, h >>> 3);
  let name: string;
  let company: string;
  if (english) {
    const person = `${pick(firstNames, h)} ${pick(lastNames, h >>> 5)}`;
    company = `${pick(lastNames, h >>> 9)} ${pick(companySuffix, h >>> 13)} ${n}`;
    name = individual ? person : company;
  } else {
    const person = `${pick(surnames, h)}${pick(givenNames, h >>> 5)}${pick(givenNames, h >>> 11)}`;
    company = `${city}${pick(trades, h >>> 7)}有限公司${n}`;
    name = individual ? person : company;
  }
  return {
    kind: individual ? 'individual' : 'company',
    name,
    company: individual ? '' : company,
    phone: `1${3 + (h % 7)}${String(n).padStart(9, '0')}`,
    email: `contact${n}@example${h % 50}.com`,
    industry: pick(INDUSTRIES, h >>> 2),
    source: pick(SOURCES, h >>> 4),
    level: pick(LEVELS, h >>> 6),
    status: pick(STATUSES, h >>> 8),
    region: city,
  };
}
