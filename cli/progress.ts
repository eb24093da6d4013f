import cliProgress from 'cli-progress';
import type { RunEvent } from '../runtime/run/events.ts';
import type { CliIo } from './io.ts';

/**
 * Shows a run's progress: one bar per pass with records/s and ETA on a terminal, plain lines
 * otherwise (one per pass and per flush). No record data is shown.
 */
export function progressReporter(io: CliIo): { onEvent: (e: RunEvent) => void; stop: () => void } {
  let bar: cliProgress.SingleBar | undefined;
  let started = 0;
  const stop = () => {
    bar?.stop();
    bar = undefined;
  };
  const onEvent = (e: RunEvent) => {
    switch (e.type) {
      case 'run':
        io.err(`run ${e.runId}${e.resumed ? ' (resumed)' : ''}: ${e.passes} passes\n`);
        break;
      case 'pass':
        stop();
        started = Date.now();
        if (io.isTty) {
          bar = new cliProgress.SingleBar(
            {
              format: `${e.resource.padEnd(20)} [{bar}] {value}/{total} records · {speed}/s · ETA {eta_formatted}`,
              hideCursor: true,
              stream: process.stderr,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(1, 0, { speed: 0 });
        } else
          io.err(
            `${e.resource}: ${e.mappings.join(', ')}${e.fromPage > 1 ? ` (from page ${e.fromPage})` : ''}\n`,
          );
        break;
      case 'page': {
        const speed = Math.round(e.extracted / Math.max(0.001, (Date.now() - started) / 1000));
        if (bar) {
          bar.setTotal(Math.max(e.total, 1));
          bar.update(e.extracted, { speed });
        } else if (e.extracted === e.total || e.page % 10 === 0)
          io.err(`  ${e.resource}: ${e.extracted}/${e.total} records (${speed}/s)\n`);
        break;
      }
      case 'groups':
        stop();
        io.err(`${e.mapping}: ${e.groups} groups\n`);
        break;
      case 'deferred':
        stop();
        io.err(`second pass: ${e.bound} lookups bound, ${e.unresolved} unresolved, ${e.failed} failed\n`);
        break;
      case 'existing': {
        stop();
        const [them, their, were] = e.rows === 1 ? ['it', 'its', 'row was'] : ['them', 'their', 'rows were'];
        io.err(
          `note: ${e.mapping}: ${e.rows} ${were} already in Dataverse (${e.table}) though this journal did not know ${them}: written by another journal, or by this one before its .flitstack/ was lost or moved. Run ${e.runId} journaled ${them} with ${their} current values, so \`flitstack rollback --run ${e.runId}\` restores ${them} instead of deleting ${them}\n`,
        );
        break;
      }
      case 'done':
        stop();
        break;
      case 'flush':
        break;
    }
  };
  return { onEvent, stop };
}
