// Lease lists sent as changes across the thread boundary: the lease thread remembers what the main thread
// was last sent and sends only what differs (new leases whole, the changed fields of changed ones, bare
// key/counter pairs when only the counter moved — a renewal), so an idle worker's heartbeats and scans
// copy almost nothing. The main thread applies them to its mirror, which then equals the thread's list.
import type { Lease } from "../lease.ts";

export type LeasePatch = Partial<Lease> & { leaseKey: string };

export interface LeaseChanges {
  /** Leases new to the list (whole). */
  changed?: Lease[];
  /** Leases changed in more than their counter: the key and each changed field (undefined: removed). */
  patched?: LeasePatch[];
  /** Keys no longer in the list. */
  gone?: string[];
  /** Counter-only changes, side by side: `counters[i]` is the new leaseCounter of `counterKeys[i]`. */
  counterKeys?: string[];
  counters?: number[];
  /** The list's key order, only when it differs from the last one sent (scans keep the table's order). */
  order?: string[];
}

/** The lease thread's memory of what the main thread holds, per list (held leases, or the latest scan). */
export class LeaseChangeTracker {
  private readonly sent = new Map<string, Lease>();
  private order: string[] = [];

  constructor(private readonly keepOrder: boolean) {}

  /** What changed since the last call; undefined when nothing did. */
  diff(current: readonly Lease[]): LeaseChanges | undefined {
    const changed: Lease[] = [];
    const patched: LeasePatch[] = [];
    const gone: string[] = [];
    const counterKeys: string[] = [];
    const counters: number[] = [];
    const seen = new Set<string>();
    for (const lease of current) {
      seen.add(lease.leaseKey);
      const before = this.sent.get(lease.leaseKey);
      if (before && sameButCounter(before, lease)) {
        if (before.leaseCounter === lease.leaseCounter) continue;
        counterKeys.push(lease.leaseKey);
        counters.push(lease.leaseCounter);
        before.leaseCounter = lease.leaseCounter;
        continue;
      }
      if (before) patched.push(patchOf(before, lease));
      else changed.push(lease);
      this.sent.set(lease.leaseKey, structuredClone(lease));
    }
    for (const key of this.sent.keys()) {
      if (seen.has(key)) continue;
      gone.push(key);
      this.sent.delete(key);
    }
    const out: LeaseChanges = {};
    if (changed.length > 0) out.changed = changed;
    if (patched.length > 0) out.patched = patched;
    if (gone.length > 0) out.gone = gone;
    if (counterKeys.length > 0) Object.assign(out, { counterKeys, counters });
    if (this.keepOrder) {
      const order = current.map((l) => l.leaseKey);
      if (!sameKeys(order, this.order)) out.order = order;
      this.order = order;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }

  /** The main thread learnt this counter another way (a renewal batch): not sent again. */
  noteCounter(leaseKey: string, leaseCounter: number): void {
    const before = this.sent.get(leaseKey);
    if (before) before.leaseCounter = leaseCounter;
  }

  /**
   * The main thread got this version of a lease another way (`acquired`, a checkpoint's reply): later
   * changes are computed against it. `onlyKnown`: only for a lease the main thread was already sent.
   */
  note(lease: Lease, onlyKnown = false): void {
    if (onlyKnown && !this.sent.has(lease.leaseKey)) return;
    this.sent.set(lease.leaseKey, structuredClone(lease));
  }

  /** The main thread dropped this lease on its own (release, drop): sent whole again if still listed. */
  forget(leaseKey: string): void {
    this.sent.delete(leaseKey);
  }
}

/** Applies changes to a mirror (key → lease, in the list's order when `changes.order` says so). */
export function applyLeaseChanges(mirror: Map<string, Lease>, changes: LeaseChanges): Map<string, Lease> {
  for (const key of changes.gone ?? []) mirror.delete(key);
  for (const lease of changes.changed ?? []) mirror.set(lease.leaseKey, lease);
  for (const patch of changes.patched ?? []) {
    const lease = mirror.get(patch.leaseKey);
    if (!lease) continue; // never: a lease is patched only after it was sent whole
    const next = { ...lease } as Record<string, unknown>;
    for (const [field, value] of Object.entries(patch)) {
      if (value === undefined) delete next[field];
      else next[field] = value;
    }
    mirror.set(patch.leaseKey, next as unknown as Lease);
  }
  const keys = changes.counterKeys ?? [];
  const counters = changes.counters ?? [];
  for (let i = 0; i < keys.length; i++) {
    const lease = mirror.get(keys[i]!);
    // A new object: a list handed out earlier (latestScan) never changes under its reader.
    if (lease) mirror.set(lease.leaseKey, { ...lease, leaseCounter: counters[i]! });
  }
  if (!changes.order) return mirror;
  const ordered = new Map<string, Lease>();
  for (const key of changes.order) {
    const lease = mirror.get(key);
    if (lease) ordered.set(key, lease);
  }
  return ordered;
}

/** The fields of `after` that differ from `before` (removed ones as undefined), with the key. */
function patchOf(before: Lease, after: Lease): LeasePatch {
  const a = after as unknown as Record<string, unknown>;
  const b = before as unknown as Record<string, unknown>;
  const patch: Record<string, unknown> = { leaseKey: after.leaseKey };
  for (const field of Object.keys(a)) if (!equalValue(a[field], b[field])) patch[field] = a[field];
  for (const field of Object.keys(b)) if (!(field in a)) patch[field] = undefined;
  return patch as LeasePatch;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Deep equality of two leases, the counter aside (plain data: strings, numbers, arrays, small records). */
export function sameButCounter(a: Lease, b: Lease): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (k === "leaseCounter") continue;
    if (
      !equalValue((a as unknown as Record<string, unknown>)[k], (b as unknown as Record<string, unknown>)[k])
    )
      return false;
  }
  return true;
}

function equalValue(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  if (typeof x !== "object" || typeof y !== "object" || x === null || y === null) return false;
  if (Array.isArray(x) !== Array.isArray(y)) return false;
  const kx = Object.keys(x);
  if (kx.length !== Object.keys(y).length) return false;
  for (const k of kx) {
    if (!equalValue((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k])) return false;
  }
  return true;
}
