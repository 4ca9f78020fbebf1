// A binary min-heap of timers ordered by due time, then creation order. Cancelled entries are
// dropped lazily when they reach the top (and compacted when they pile up).

export interface HeapEntry {
  at: number;
  seq: number;
  cancelled: boolean;
}

const before = (a: HeapEntry, b: HeapEntry): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);

export class TimerHeap<E extends HeapEntry> {
  private items: E[] = [];
  private cancelledCount = 0;

  get size(): number {
    return this.items.length - this.cancelledCount;
  }

  push(e: E): void {
    this.items.push(e);
    this.up(this.items.length - 1);
  }

  /** The earliest live entry, without removing it. */
  peek(): E | undefined {
    this.dropCancelled();
    return this.items[0];
  }

  pop(): E | undefined {
    this.dropCancelled();
    return this.removeTop();
  }

  cancel(e: E): void {
    if (e.cancelled) return;
    e.cancelled = true;
    this.cancelledCount++;
    if (this.cancelledCount > 1024 && this.cancelledCount * 2 > this.items.length) this.compact();
  }

  private dropCancelled(): void {
    while (this.items[0]?.cancelled) {
      this.removeTop();
      this.cancelledCount--;
    }
  }

  private removeTop(): E | undefined {
    const top = this.items[0];
    const last = this.items.pop();
    if (top !== last && last) {
      this.items[0] = last;
      this.down(0);
    }
    return top;
  }

  private compact(): void {
    this.items = this.items.filter((e) => !e.cancelled);
    this.cancelledCount = 0;
    for (let i = (this.items.length >>> 1) - 1; i >= 0; i--) this.down(i);
  }

  private up(i: number): void {
    const items = this.items;
    while (i > 0) {
      const parent = (i - 1) >>> 1;
      if (!before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  private down(i: number): void {
    const items = this.items;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < items.length && before(items[l]!, items[m]!)) m = l;
      if (r < items.length && before(items[r]!, items[m]!)) m = r;
      if (m === i) return;
      [items[i], items[m]] = [items[m]!, items[i]!];
      i = m;
    }
  }
}
