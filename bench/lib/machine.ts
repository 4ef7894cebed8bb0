/** What the figures were taken on: machine, load, versions, date, commit. Node only. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
   * children (peers, notation, Chromium): /proc/stat busy time minus this process's own and its
   * reaped children's CPU time; -1 when unknown.
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

/** This process's CPU ticks plus those of its children that have exited (reaped), from /proc/self/stat. */
function ownTicks(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ": state is f[0]; utime, stime, cutime, cstime are fields 14–17 → f[11..14].
    return Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  } catch {
    return undefined;
  }
}

export interface CpuAccount {
  times?: { idle: number; total: number };
  own?: number;
}

export function startCpuAccount(): CpuAccount {
  return { times: cpuTimes(), own: ownTicks() };
}

/** Other processes' share of all CPU time since `start` (0..1), or -1 when unknown. */
export function othersShareSince(start: CpuAccount): number {
  const now = cpuTimes();
  const own = ownTicks();
  if (!start.times || !now || start.own === undefined || own === undefined || now.total === start.times.total) return -1;
  const total = now.total - start.times.total;
  const busy = total - (now.idle - start.times.idle);
  return Number(Math.max(0, (busy - (own - start.own)) / total).toFixed(3));
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
export async function finishMachineInfo(info: MachineInfo, account: CpuAccount): Promise<MachineInfo> {
  const loadAtEnd = os.loadavg().map((x) => Number(x.toFixed(2)));
  const othersDuringRun = othersShareSince(account);
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
