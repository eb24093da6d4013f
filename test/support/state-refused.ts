import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as generatedModule from '../../generated/transformer.ts';
import { Journal } from '../../runtime/journal/index.ts';
import type { GeneratedModule, MappingDefinition } from '../../runtime/mapping/index.ts';
import { type RunDeps, type RunResult, runMigration } from '../../runtime/run/pipeline.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { flitstack, loadDeps, sandboxes } from './migration.ts';

/** Completed appointments are closed: statecode 1 with statuscode 3 (spec/valuemaps). */
export const COMPLETED = { state: 1, status: 3 };
/** A statuscode of another state (4 is Canceled, state 2): Dataverse refuses it with statecode 1. */
export const WRONG = { state: 1, status: 4 };

/** The generated module, but the record `id` of a mapping (appointment) gets `state` instead of its own. */
export function withState(
  module: GeneratedModule,
  id: string,
  state: typeof WRONG,
  name = 'appointment',
): GeneratedModule {
  const mapping = module.MAPPINGS[name]!;
  const transform: MappingDefinition['transform'] = (record) => {
    const outcome = mapping.transform(record);
    if (outcome.kind !== 'rows' || (record as { id?: unknown }).id !== id) return outcome;
    return { ...outcome, rows: outcome.rows.map((row) => ({ ...row, state })) };
  };
  return { ...module, MAPPINGS: { ...module.MAPPINGS, [name]: { ...mapping, transform } } };
}

/** A first run whose appointment `appointment` Dataverse wrote but whose state it refused. */
export interface StateRefused {
  readonly sb: Sandboxes;
  readonly dir: string;
  readonly journal: Journal;
  /** Deps of the shipped module (the refused state was the first run's alone). */
  readonly deps: RunDeps;
  readonly appointment: string;
  readonly first: RunResult;
  close(): Promise<void>;
}

/**
 * Sandboxes (`seed`), schema apply, and a first run in which a completed appointment gets a status of
 * another state, which Dataverse refuses. The appointment is not one of the last second PracticeHub
 * changed, which a delta lists again at its watermark.
 */
export async function stateRefused(seed: number): Promise<StateRefused> {
  const sb = await sandboxes({ scale: 0.05, seed });
  const dir = mkdtempSync(join(tmpdir(), 'flitstack-state-refused-'));
  const journal = Journal.open(join(dir, 'journal.db'));
  const deps = loadDeps(sb, journal, generatedModule, dir);
  const close = async () => {
    journal.close();
    await Promise.all([deps.practicehub.close(), deps.dataverse.close()]);
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const applied = await flitstack(sb, 'schema', 'apply');
    if (applied.code !== 0) throw new Error(`schema apply failed: ${applied.err}`);
    const live = [...sb.practicehub.records('appointments')].filter(
      (a) => !(a as { deleted_at?: unknown }).deleted_at,
    ) as { id: string; status?: string; updated_at: string }[];
    const newest = live.map((a) => a.updated_at).sort()[live.length - 1];
    const appointment = live.find((a) => a.status === 'completed' && a.updated_at !== newest)!.id;
    const first = await runMigration({ ...deps, module: withState(generatedModule, appointment, WRONG) });
    return { sb, dir, journal, deps, appointment, first, close };
  } catch (error) {
    await close();
    throw error;
  }
}
