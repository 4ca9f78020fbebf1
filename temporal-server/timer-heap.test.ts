import fc from 'fast-check';
import { expect, test } from 'vitest';
import { TimerHeap, type HeapEntry } from './src/timer-heap.js';

test('the timer heap pops live entries in due-time order, then creation order', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.boolean()), { maxLength: 3000 }), (spec) => {
      const heap = new TimerHeap<HeapEntry>();
      const entries = spec.map(([at], seq) => ({ at, seq, cancelled: false }));
      for (const e of entries) heap.push(e);
      spec.forEach(([, cancel], i) => cancel && heap.cancel(entries[i]!));
      const expected = entries.filter((e) => !e.cancelled).sort((a, b) => a.at - b.at || a.seq - b.seq);
      expect(heap.size).toBe(expected.length);
      const popped: HeapEntry[] = [];
      for (let e = heap.pop(); e; e = heap.pop()) popped.push(e);
      expect(popped).toEqual(expected);
    }),
    { numRuns: 200 },
  );
});
