import type { Command } from 'commander';
import type { CliIo } from '../io.ts';
import { registerCompile } from './compile.ts';
import { registerDemo } from './demo.ts';
import { registerDiff } from './diff.ts';
import { registerLog } from './log.ts';
import { registerRollback } from './rollback.ts';
import { registerRun } from './run.ts';
import { registerRuns } from './runs.ts';
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
  registerSchema,
  registerRun,
  registerRollback,
  registerRuns,
  registerLog,
  registerDemo,
  registerSandbox,
];
