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
  /** True when another workload kept more than half the cores busy at the start or the end. */
  underLoad?: boolean;
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

export function machineInfo(): MachineInfo {
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
    loadAtStart: os.loadavg().map((x) => Number(x.toFixed(2)))
  };
}

export function finishMachineInfo(info: MachineInfo): MachineInfo {
  const end = os.loadavg().map((x) => Number(x.toFixed(2)));
  const busy = (l: number[]) => l[0]! > info.nproc * 0.5;
  return { ...info, loadAtEnd: end, underLoad: busy(info.loadAtStart) || busy(end) };
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
