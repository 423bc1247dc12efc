// The demo organisation promised by CONTRACT.md; scripts and tests outside the project log in with it.
export const DEMO_PASSWORD = 'demo1234';

export type DemoDepartment = { key: string; name_zh: string; name_en: string; parent?: string };

export const DEMO_DEPARTMENTS: DemoDepartment[] = [
  { key: 'east', name_zh: '销售一部', name_en: 'Sales East' },
  { key: 'east2', name_zh: '华东二组', name_en: 'East Team 2', parent: 'east' },
  { key: 'north', name_zh: '销售二部', name_en: 'Sales North' },
];

export type DemoUser = { username: string; display_name: string; role: 'admin' | 'manager' | 'rep'; department?: string };

export const DEMO_USERS: DemoUser[] = [
  { username: 'admin', display_name: '系统管理员', role: 'admin' },
  { username: 'manager1', display_name: '王经理', role: 'manager', department: 'east' },
  { username: 'rep1', display_name: '李明', role: 'rep', department: 'east' },
  { username: 'rep2', display_name: '赵蕾', role: 'rep', department: 'east2' },
  { username: 'manager2', display_name: '孙经理', role: 'manager', department: 'north' },
  { username: 'rep3', display_name: '周芳', role: 'rep', department: 'north' },
];
