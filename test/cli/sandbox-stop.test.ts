import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../support/tmp.ts';

/*
 * The README starts the sandboxes with `npx flitstack sandbox ... > sandbox.env &` and stops them with
 * `kill %1`. npx runs the command through a shell of its own (npm exec, then `sh -c`, then node): in a
 * script, which has no job control, `kill %1` and `kill $!` signal npm alone, and the sandbox must still
 * stop, its ports closed, with no process of it left.
 */

/** Processes whose command line holds `marker` (a seed no other test uses), with their pids. */
function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmdline.includes('sandbox') && cmdline.includes(marker)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

/** Whether something listens on the port of `url`. */
function listening(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Runs `script` with bash (no job control, as a script has), in the project; its output. */
function bash(script: string): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn('bash', ['-c', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, out, err })));
}

const left: string[] = [];
afterEach(() => {
  // Whatever a failed test left running, by the seed that marks it.
  for (const marker of left.splice(0))
    for (const pid of processesWith(marker)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
});

describe('the sandboxes started in the background as the README shows', () => {
  for (const stop of ['kill %1', 'kill $!']) {
    it(`stop, every process of them, on \`${stop}\` in a script`, async () => {
      const dir = tempDir('flitstack-sandbox-stop-');
      const seed = String(700_000 + Math.floor(Math.random() * 100_000));
      left.push(`--seed ${seed}`);
      const env = join(dir, 'sandbox.env');
      const script = join(dir, 'walk.sh');
      writeFileSync(
        script,
        [
          `npx flitstack sandbox --rate 20 --seed ${seed} > ${env} 2> ${join(dir, 'sandbox.log')} &`,
          `for i in $(seq 150); do grep -q AZURE_AUTHORITY_HOST ${env} 2>/dev/null && break; sleep 0.2; done`,
          `. ${env}`,
          'echo "$DATAVERSE_URL"',
          stop,
          'wait',
          '',
        ].join('\n'),
      );
      const walked = await bash(`bash ${script}`);
      const url = walked.out.trim();
      expect(url, walked.err).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      // The script has ended; what it started stops within a few seconds.
      const until = Date.now() + 5_000;
      while ((processesWith(`--seed ${seed}`).length > 0 || (await listening(url))) && Date.now() < until)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(processesWith(`--seed ${seed}`)).toEqual([]);
      expect(await listening(url)).toBe(false);
    }, 30_000);
  }
});
