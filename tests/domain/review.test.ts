import { describe, expect, it } from 'vitest';
import { escalationTargets, resolveReviewChain, type ChainRule } from '../../domain/review.js';

const head = { name: '王建国', email: 'WangJianGuo@school.test' };
const liaison = { name: '刘芳', email: 'liufang@school.test' };
const office = [
  { name: '周晓梅', email: 'zhouxiaomei@school.test' },
  { name: '谢雨桐', email: 'xieyutong@school.test' },
];
const leadership = [{ name: '张国栋', email: 'zhangguodong@school.test' }];
const rules: ChainRule[] = [
  { when: { category: ['安全管理', '政策传达'] }, steps: ['department_head', 'office', 'leadership'] },
  { when: { urgency: ['major', 'urgent'] }, steps: ['department_head', 'office', 'leadership'] },
  { steps: ['department_head', 'office'] },
];
const chain = (over: Partial<Parameters<typeof resolveReviewChain>[0]>) =>
  resolveReviewChain({ category: '教育教学', urgency: 'routine', submitter: liaison, rules, people: { departmentHead: head, office, leadership }, ...over }).map(
    (s) => `${s.kind}:${s.holders.map((p) => p.name).join('/')}`,
  );

describe('review chains', () => {
  it('routine: department head → office, any office reviewer may decide', () => {
    expect(chain({})).toEqual(['department_head:王建国', 'office:周晓梅/谢雨桐']);
  });

  it('safety and policy reports, and major or urgent ones, go up to the leadership', () => {
    expect(chain({ category: '安全管理' })).toEqual(['department_head:王建国', 'office:周晓梅/谢雨桐', 'leadership:张国栋']);
    expect(chain({ urgency: 'urgent' })).toHaveLength(3);
  });

  it('skips the head’s step when the head submitted (addresses compared without case)', () => {
    expect(chain({ submitter: { name: '王建国', email: 'wangjianguo@school.test' } })).toEqual(['office:周晓梅/谢雨桐']);
    expect(chain({ submitter: { name: '王建国', email: 'wangjianguo@school.test' }, skipHeadWhenSubmitter: false })[0]).toBe('department_head:王建国');
  });

  it('never lets an office reviewer decide their own report while another can', () => {
    expect(chain({ submitter: office[0]! })).toEqual(['department_head:王建国', 'office:谢雨桐']);
  });

  it('escalates a late step one level up; the office chases late leaders', () => {
    expect(escalationTargets('department_head', { office, leadership }).map((p) => p.name)).toEqual(['周晓梅', '谢雨桐']);
    expect(escalationTargets('office', { office, leadership }).map((p) => p.name)).toEqual(['张国栋']);
    expect(escalationTargets('leadership', { office, leadership }).map((p) => p.name)).toEqual(['周晓梅', '谢雨桐']);
  });

  it('names the fix when no rule matches', () => {
    expect(() => chain({ rules: [rules[0]!] })).toThrow(/add a last chain without `when`/);
  });
});
