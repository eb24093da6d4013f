import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../compiler/load/spec-dir.ts';
import { caseSpec } from '../support/cases.ts';

describe('loadSpec', () => {
  for (const written of [
    './source/practicehub.yaml',
    'source/../source/practicehub.yaml',
    'source//practicehub.yaml',
  ])
    it(`finds the source model named ${written}, the same file as source/practicehub.yaml`, () => {
      const input = caseSpec('_base');
      const files = new Map(input.files);
      const migration = files.get('migration.yaml')!;
      files.set('migration.yaml', migration.replace('model: source/practicehub.yaml', `model: ${written}`));
      expect(files.get('migration.yaml')).toContain(written);
      const spec = loadSpec({ ...input, files });
      expect(spec.sourceModel?.name).toBe('source/practicehub.yaml');
      expect(spec.pending).toEqual([]);
    });
});
