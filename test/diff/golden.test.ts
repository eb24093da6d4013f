import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { diffSides, isEmptyDiff } from '../../compiler/diff/diff.ts';
import { renderJson } from '../../compiler/diff/render-json.ts';
import { renderMarkdown } from '../../compiler/diff/render-md.ts';
import { createSchemaValidators, type SchemaValidators } from '../../compiler/validate/schemas.ts';
import { caseNames } from '../support/cases.ts';
import { built, caseSide, DIFF_CASES_DIR } from './support.ts';

let validators: SchemaValidators;
beforeAll(() => {
  validators = createSchemaValidators();
});

/** Cases whose two sides differ only in order or formatting: the diff must be empty. */
const NO_CHANGE = new Set(['reordered', 'formatting-only']);

describe('mapping diff golden cases (test/diff-cases/<name>/{base,head} → expected.md, expected.json)', () => {
  for (const name of caseNames(DIFF_CASES_DIR)) {
    it(name, async () => {
      const base = built(caseSide(name, 'base'), validators);
      const head = built(caseSide(name, 'head'), validators);
      const diff = diffSides(base, head);
      expect(isEmptyDiff(diff)).toBe(NO_CHANGE.has(name));
      const labels = { base: 'base', head: 'head' };
      await expect(renderMarkdown(diff, labels)).toMatchFileSnapshot(
        join(DIFF_CASES_DIR, name, 'expected.md'),
      );
      await expect(renderJson(diff, labels)).toMatchFileSnapshot(join(DIFF_CASES_DIR, name, 'expected.json'));
    });
  }
});
