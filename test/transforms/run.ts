import { type Issues, newIssues } from '../../runtime/transforms/index.ts';

/** What a step returned and recorded, flattened for table assertions: flag and rejection codes in order. */
export interface Outcome<T> {
  readonly value: T;
  readonly flags: string[];
  readonly rejections: string[];
  readonly issues: Issues;
}

/** Runs a step with fresh Issues and column 'col'. */
export function run<T>(step: (issues: Issues, column: string) => T): Outcome<T> {
  const issues = newIssues();
  const value = step(issues, 'col');
  return {
    value,
    flags: issues.flags.map((f) => f.code),
    rejections: issues.rejections.map((r) => r.code),
    issues,
  };
}

/** Every text a step wrote into issues (details and reasons), to check that none repeats the value. */
export function texts(issues: Issues): string[] {
  return [...issues.flags.map((f) => f.detail), ...issues.rejections.map((r) => r.reason)];
}
