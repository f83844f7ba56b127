// How busy the whole machine was while a consumer was measured (Linux /proc/stat): a run on a shared VM
// is only comparable with another when both saw about the same load, so every drain reports it.
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";

export interface MachineTicks {
  busy: number;
  steal: number;
  total: number;
}

export interface MachineLoad {
  /** 1-minute load average when the measurement started. */
  loadAverage: number;
  /** Share of all CPUs' time spent busy (every process: the consumer, the emulators, other sessions). */
  busyPercent: number;
  /** Share of all CPUs' time the hypervisor gave to other guests (steal). */
  stealPercent: number;
}

/** The aggregate "cpu" line of /proc/stat; undefined where there is none. */
export function machineTicks(): MachineTicks | undefined {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!;
    // user nice system idle iowait irq softirq steal guest guest_nice (guest time is already in user)
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const busy = user! + nice! + system! + irq! + softirq!;
    return { busy, steal: steal!, total: busy + idle! + iowait! + steal! };
  } catch {
    return undefined;
  }
}

export function machineLoad(
  start: MachineTicks | undefined,
  end: MachineTicks | undefined,
  loadAverage: number,
): MachineLoad | undefined {
  if (!start || !end || end.total <= start.total) return undefined;
  const total = end.total - start.total;
  const pct = (ticks: number) => Math.round((ticks * 1000) / total) / 10;
  return {
    loadAverage: Math.round(loadAverage * 100) / 100,
    busyPercent: pct(end.busy - start.busy),
    stealPercent: pct(end.steal - start.steal),
  };
}

export function loadAverageNow(): number {
  return loadavg()[0] ?? Number.NaN;
}
