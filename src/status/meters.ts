// Constant-time meters for the status fold: a per-second throughput window and a lag trend ring.
// records-processed can arrive thousands of times a second, so each add is O(1) and allocation-free.

/** Records and bytes per second over a sliding window of whole-second buckets keyed by event time. */
export class RateMeter {
  private readonly seconds: Float64Array;
  private readonly counts: Float64Array;
  private readonly bytes: Float64Array;
  private origin = Number.NaN;

  /** @param windowSeconds how many past seconds the rate averages over */
  constructor(private readonly windowSeconds = 5) {
    const size = windowSeconds + 1;
    this.seconds = new Float64Array(size).fill(Number.NaN);
    this.counts = new Float64Array(size);
    this.bytes = new Float64Array(size);
  }

  add(at: number, count: number, bytes: number): void {
    if (Number.isNaN(this.origin)) this.origin = at;
    const second = Math.floor(at / 1000);
    const i = second % this.seconds.length;
    const held = this.seconds[i]!;
    if (held === second) {
      this.counts[i]! += count;
      this.bytes[i]! += bytes;
    } else if (!(held > second)) {
      // A newer second reuses the slot; a late event for a slot already reused is dropped.
      this.seconds[i] = second;
      this.counts[i] = count;
      this.bytes[i] = bytes;
    }
  }

  /** Average over [window start, now]; the span is at least one second so a first batch does not spike. */
  rate(now: number): { perSecond: number; bytesPerSecond: number } {
    if (Number.isNaN(this.origin)) return { perSecond: 0, bytesPerSecond: 0 };
    const nowSecond = Math.floor(now / 1000);
    const first = nowSecond - this.windowSeconds;
    let count = 0;
    let bytes = 0;
    for (let i = 0; i < this.seconds.length; i++) {
      const s = this.seconds[i]!;
      if (s >= first && s <= nowSecond) {
        count += this.counts[i]!;
        bytes += this.bytes[i]!;
      }
    }
    const spanMs = Math.max(1000, now - Math.max(first * 1000, this.origin));
    return { perSecond: (count * 1000) / spanMs, bytesPerSecond: (bytes * 1000) / spanMs };
  }
}

/** The last `capacity` samples, at most one per second (a later sample in the same second replaces it). */
export class TrendRing {
  private readonly values: Float64Array;
  private start = 0;
  private length = 0;
  private lastSecond = Number.NaN;

  constructor(capacity = 60) {
    this.values = new Float64Array(capacity);
  }

  push(at: number, value: number): void {
    const second = Math.floor(at / 1000);
    const cap = this.values.length;
    if (second === this.lastSecond && this.length > 0) {
      this.values[(this.start + this.length - 1) % cap] = value;
      return;
    }
    this.lastSecond = second;
    if (this.length < cap) {
      this.values[(this.start + this.length) % cap] = value;
      this.length += 1;
    } else {
      this.values[this.start] = value;
      this.start = (this.start + 1) % cap;
    }
  }

  /** Oldest first. */
  toArray(): number[] {
    const out = new Array<number>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.values[(this.start + i) % this.values.length]!;
    return out;
  }
}

/** A bounded FIFO: keeps the newest `capacity` items. */
export class Ring<T> {
  private readonly items: (T | undefined)[];
  private start = 0;
  private length = 0;

  constructor(capacity: number) {
    this.items = new Array<T | undefined>(Math.max(1, capacity));
  }

  push(item: T): void {
    const cap = this.items.length;
    if (this.length < cap) {
      this.items[(this.start + this.length) % cap] = item;
      this.length += 1;
    } else {
      this.items[this.start] = item;
      this.start = (this.start + 1) % cap;
    }
  }

  /** The newest item, if any. */
  last(): T | undefined {
    return this.length === 0 ? undefined : this.items[(this.start + this.length - 1) % this.items.length];
  }

  /** Oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.length; i++) out.push(this.items[(this.start + i) % this.items.length]!);
    return out;
  }
}
