/** What the figures were taken on: machine, load, versions, date, commit. Node only. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { toolPath } from '../../tests/helpers/tools';

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  /** `free -h` as printed. */
  memory: string;
  os: string;
  /** 1/5/15-minute load averages when the run started. */
  loadAtStart: number[];
  loadAtEnd?: number[];
  /**
   * Share of all CPU time that was busy during a 2-second sample taken just before the bench
   * started anything (so it is other processes' load, not the bench's own); -1 when unknown.
   */
  busyBeforeStart: number;
  /** The same, sampled after the run once every peer it started has stopped. */
  busyAfterEnd?: number;
  /**
   * Share of all CPU time during the run used by processes that are not the bench or its
   * descendants (peers, notation, Chromium), sampled every 2 s from /proc; -1 when unknown.
   */
  othersDuringRun?: number;
  /** True when another workload used more than 15 % of the CPUs during the run (or 25 % just before/after). */
  underLoad: boolean;
}

export interface Versions {
  node: string;
  chromium?: string;
  notation: string;
  distribution: string;
  olareg: string;
  commit: string;
  /** Files under src/ differing from the commit (another engineer's work in progress is measured too). */
  uncommittedSrcFiles: number;
}

function run(file: string, args: string[]): string {
  try {
    return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 }).trim();
  } catch (e) {
    return `unavailable (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`;
  }
}

function cpuTimes(): { idle: number; total: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal …: idle + iowait count as not busy.
    return { idle: fields[3]! + (fields[4] ?? 0), total: fields.slice(0, 8).reduce((a, b) => a + b, 0) };
  } catch {
    return undefined;
  }
}

interface ProcStat {
  ppid: number;
  ticks: number;
  /** Start time in clock ticks since boot. */
  start: number;
}

function readProcs(): Map<number, ProcStat> {
  const out = new Map<number, ProcStat>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // After "pid (comm) ": f[0] state, f[1] ppid, f[11] utime, f[12] stime, f[19] starttime.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(name), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]), start: Number(f[19]) });
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

function uptimeTicks(): number {
  return Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 100; // USER_HZ is 100 on Linux
}

export interface LoadMonitor {
  /** Other processes' share of all CPU time since the monitor started (0..1), or -1 when unknown. */
  stop(): number;
}

/**
 * Samples every process every 2 s (about 2.5 ms of work each time) and sums the CPU time of
 * those that are not this process or its descendants (registries, notation, Chromium and its
 * renderers are descendants): what other people's work took from the machine during the run.
 * Processes that start and end between two samples are missed, so this is a lower bound.
 */
export function startLoadMonitor(): LoadMonitor {
  const self = process.pid;
  const startedAt = (() => {
    try {
      return uptimeTicks();
    } catch {
      return undefined;
    }
  })();
  const first = cpuTimes();
  if (startedAt === undefined || !first) return { stop: () => -1 };
  const seen = new Map<number, number>(); // pid → ticks already counted from
  let others = 0;
  const sample = () => {
    const procs = readProcs();
    const isOurs = (pid: number): boolean => {
      for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
        if (p === self) return true;
        p = procs.get(p)?.ppid ?? 0;
      }
      return false;
    };
    for (const [pid, st] of procs) {
      if (isOurs(pid)) continue;
      const base = seen.get(pid) ?? (st.start >= startedAt ? 0 : st.ticks);
      others += Math.max(0, st.ticks - base);
      seen.set(pid, st.ticks);
    }
  };
  sample();
  others = 0;
  const timer = setInterval(sample, 2000);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      const last = cpuTimes();
      if (!last || last.total === first.total) return -1;
      return Number(Math.min(1, others / (last.total - first.total)).toFixed(3));
    }
  };
}

/** How busy the CPUs are right now, over `ms` (0..1), or -1 without /proc/stat. */
export async function sampleBusy(ms = 2000): Promise<number> {
  const a = cpuTimes();
  await new Promise((r) => setTimeout(r, ms));
  const b = cpuTimes();
  if (!a || !b || b.total === a.total) return -1;
  return Number((1 - (b.idle - a.idle) / (b.total - a.total)).toFixed(3));
}

export async function machineInfo(): Promise<MachineInfo> {
  const busyBeforeStart = await sampleBusy();
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpuModel = m[1]!.trim();
  } catch {
    // not Linux: keep os.cpus()'s model
  }
  return {
    nproc: os.availableParallelism(),
    cpuModel,
    memory: run('free', ['-h']),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAtStart: os.loadavg().map((x) => Number(x.toFixed(2))),
    busyBeforeStart,
    underLoad: busyBeforeStart > 0.25
  };
}

/** Adds the load average at the end (which includes the bench's own peers) and a fresh busy sample. */
export async function finishMachineInfo(info: MachineInfo, monitor: LoadMonitor): Promise<MachineInfo> {
  const loadAtEnd = os.loadavg().map((x) => Number(x.toFixed(2)));
  const othersDuringRun = monitor.stop();
  const busyAfterEnd = await sampleBusy();
  return { ...info, loadAtEnd, busyAfterEnd, othersDuringRun, underLoad: info.underLoad || busyAfterEnd > 0.25 || othersDuringRun > 0.15 };
}

export function versions(repoRoot: string): Versions {
  const notation = /Version:\s*(\S+)/.exec(run(toolPath('notation'), ['version']))?.[1] ?? 'unknown';
  const distribution = /(v\d+\.\d+\.\d+\S*)/.exec(run(toolPath('registry'), ['--version']))?.[1] ?? 'unknown';
  const olareg = /VCSTag:\s*(\S+)/.exec(run(toolPath('olareg'), ['version']))?.[1] ?? 'unknown';
  const commit = run('git', ['-C', repoRoot, 'rev-parse', '--short', 'HEAD']);
  const status = run('git', ['-C', repoRoot, 'status', '--porcelain', '--', 'src']);
  return {
    node: process.version,
    notation,
    distribution,
    olareg,
    commit,
    uncommittedSrcFiles: status.startsWith('unavailable') ? -1 : status.split('\n').filter((l) => l.trim() !== '').length
  };
}
