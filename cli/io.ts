/** Where a command writes: the process streams, or buffers in tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr, where progress is drawn, is a terminal (bars then; plain lines otherwise). */
  readonly isTty: boolean;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

/** The real process streams. A reader that stops early (`| head`) ends the command quietly. */
export function processIo(): CliIo {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    isTty: Boolean(process.stderr.isTTY),
    cwd: process.cwd(),
    env: process.env,
  };
}

/** An in-memory io for tests: collects what a command prints. */
export function bufferIo(
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): CliIo & { stdout(): string; stderr(): string } {
  let out = '';
  let err = '';
  return {
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
    isTty: false,
    cwd,
    env,
    stdout: () => out,
    stderr: () => err,
  };
}
