import type { Command } from 'commander';
import type { CliIo } from '../io.ts';
import { registerAudit } from './audit.ts';
import { registerCompile } from './compile.ts';
import { registerConfirm } from './confirm.ts';
import { registerDelta } from './delta.ts';
import { registerDemo } from './demo.ts';
import { registerDiff } from './diff.ts';
import { registerLog } from './log.ts';
import { registerPropose } from './propose.ts';
import { registerReconcile } from './reconcile.ts';
import { registerRollback } from './rollback.ts';
import { registerRun } from './run.ts';
import { registerRuns } from './runs.ts';
import { registerSample } from './sample.ts';
import { registerSandbox } from './sandbox.ts';
import { registerSchema } from './schema.ts';
import { registerValidate } from './validate.ts';

/** A command module: adds itself to the program; its action reports an exit code through `exit`. */
export type RegisterCommand = (program: Command, io: CliIo, exit: (code: number) => void) => void;

/** Every command of the CLI, in the order `--help` lists them. */
export const commands: RegisterCommand[] = [
  registerValidate,
  registerCompile,
  registerDiff,
  registerAudit,
  registerPropose,
  registerConfirm,
  registerSchema,
  registerSample,
  registerRun,
  registerDelta,
  registerReconcile,
  registerRollback,
  registerRuns,
  registerLog,
  registerDemo,
  registerSandbox,
];
