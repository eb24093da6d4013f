import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { currentProcess, type HostView, ownerState, realHost } from '../../../runtime/journal/index.ts';
import { startTicksFromStat } from '../../../runtime/journal/owner.ts';

const view = (probe: HostView['probe'], host = 'box', bootId: string | null = 'boot-1'): HostView => ({
  host,
  bootId,
  probe,
});
const owner = { pid: 4242, host: 'box', bootId: 'boot-1', startTicks: '1000' };

describe('process identity', () => {
  it('reads the start time after the last parenthesis of /proc/<pid>/stat', () => {
    const rest = 'S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 98765 20 21';
    expect(startTicksFromStat(`123 (node) ${rest}`)).toBe('98765');
    expect(startTicksFromStat(`123 (a) b (c) d) ${rest}`)).toBe('98765');
    expect(startTicksFromStat('123 (short) S 1')).toBeNull();
    expect(startTicksFromStat(null)).toBeNull();
  });

  it.each([
    ['the same process', view(() => ({ exists: true, startTicks: '1000' })), 'alive'],
    ['no start time to compare', view(() => ({ exists: true, startTicks: null })), 'alive'],
    ['no such pid', view(() => ({ exists: false, startTicks: null })), 'dead'],
    ['a reused pid', view(() => ({ exists: true, startTicks: '2000' })), 'dead'],
    ['a reboot', view(() => ({ exists: true, startTicks: '1000' }), 'box', 'boot-2'), 'dead'],
    ['another host', view(() => ({ exists: false, startTicks: null }), 'other'), 'unknown'],
  ] as const)('%s → %s', (_name, host, expected) => {
    expect(ownerState(owner, host)).toBe(expected);
  });

  it('sees this process alive and an exited child dead', async () => {
    const me = currentProcess();
    expect(me.pid).toBe(process.pid);
    expect(ownerState(me)).toBe('alive');
    const child = spawn(process.execPath, ['-e', '0']);
    const pid = child.pid!;
    const identity = { ...me, pid, startTicks: realHost().probe(pid).startTicks };
    await new Promise((resolve) => child.on('exit', resolve));
    expect(ownerState(identity)).toBe('dead');
  });
});
