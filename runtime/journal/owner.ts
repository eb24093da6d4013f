import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { ProcessIdentity } from './types.ts';

/** What can be learnt about a pid on this host right now. */
export interface ProcessProbe {
  /** False when the pid names no process (ESRCH). */
  readonly exists: boolean;
  /** Its start time in clock ticks since boot, when the platform tells (Linux `/proc`). */
  readonly startTicks: string | null;
}

/** How the environment is observed: real by default, replaceable to test every branch. */
export interface HostView {
  readonly host: string;
  readonly bootId: string | null;
  probe(pid: number): ProcessProbe;
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/**
 * Field 22 of `/proc/<pid>/stat` (proc(5): "starttime ... expressed in clock ticks"). The command name
 * (field 2) is in parentheses and may itself contain spaces or parentheses, so count after the last ')'.
 */
export function startTicksFromStat(stat: string | null): string | null {
  if (stat === null) return null;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = fields[19];
  return ticks !== undefined && /^\d+$/.test(ticks) ? ticks : null;
}

function probe(pid: number): ProcessProbe {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return { exists: false, startTicks: null };
  }
  return { exists: true, startTicks: startTicksFromStat(readOrNull(`/proc/${pid}/stat`)) };
}

/** This machine, observed for real. */
export function realHost(): HostView {
  return { host: hostname(), bootId: readOrNull('/proc/sys/kernel/random/boot_id')?.trim() || null, probe };
}

/** The identity of the current process, recorded in the runs it owns. */
export function currentProcess(view: HostView = realHost()): ProcessIdentity {
  return {
    pid: process.pid,
    host: view.host,
    bootId: view.bootId,
    startTicks: view.probe(process.pid).startTicks,
  };
}

/**
 * Whether the process that owns a run is still alive. `unknown` when it ran on another host: only an
 * explicit, forced resume may take such a run over. A reused pid is told apart by its start time.
 */
export function ownerState(
  owner: ProcessIdentity,
  view: HostView = realHost(),
): 'alive' | 'dead' | 'unknown' {
  if (owner.host !== view.host) return 'unknown';
  if (owner.bootId !== null && view.bootId !== null && owner.bootId !== view.bootId) return 'dead';
  const now = view.probe(owner.pid);
  if (!now.exists) return 'dead';
  if (owner.startTicks !== null && now.startTicks !== null && owner.startTicks !== now.startTicks) {
    return 'dead';
  }
  return 'alive';
}
