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
  /** True when either sample exceeded 25 %: the figures were taken on a shared, loaded machine. */
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
export async function finishMachineInfo(info: MachineInfo): Promise<MachineInfo> {
  const loadAtEnd = os.loadavg().map((x) => Number(x.toFixed(2)));
  const busyAfterEnd = await sampleBusy();
  return { ...info, loadAtEnd, busyAfterEnd, underLoad: info.underLoad || busyAfterEnd > 0.25 };
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
