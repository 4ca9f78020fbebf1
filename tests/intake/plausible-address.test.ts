import { describe, expect, it } from 'vitest';
import { plausibleAddress } from '../../intake/handle.js';

describe('plausibleAddress: whether an answer could be delivered at all', () => {
  it.each(['liufang@qq.com', 'zhang.san+baosong@163.com', 'a_b-c@mail.school.edu.cn', "o'neil@example.org", 'laoshi@学校.中国', 'x@xn--fiqs8s.xn--fiqs8s'])('takes %s', (a) => {
    expect(plausibleAddress(a)).toBe(true);
  });
  it.each(['', 'no-at-sign', 'a b@example.com', 'a@@example.com', '<a@example.com>', 'a@localhost', 'a@-bad.com', 'a@example.c', `${'a'.repeat(65)}@example.com`])('refuses %j', (a) => {
    expect(plausibleAddress(a)).toBe(false);
  });
});
