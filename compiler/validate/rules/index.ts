import type { Rule } from '../rule.ts';
import { conditions } from './conditions.ts';
import { customColumnSettings } from './custom-columns.ts';
import { fieldShape, fieldTypes, requiredColumns } from './fields.ts';
import { keys } from './keys.ts';
import { leftOut } from './left-out.ts';
import { licensingLimits } from './limits.ts';
import { lookupSources } from './lookup-sources.ts';
import { cycles, lookups, ownerStateDocument } from './lookups.ts';
import { customNames, generatedNames, publisherPrefix } from './naming.ts';
import { proposals } from './proposals.ts';
import { sourceReferences, targetReferences } from './references.ts';
import { timeZones } from './time-zones.ts';
import { valueMapKeys, valueMaps } from './valuemaps.ts';

/** Every semantic rule, by name (the name appears in internal-error diagnostics). */
export const RULES: Readonly<Record<string, Rule>> = {
  sourceReferences,
  targetReferences,
  publisherPrefix,
  customNames,
  fieldShape,
  fieldTypes,
  requiredColumns,
  lookups,
  lookupSources,
  cycles,
  ownerStateDocument,
  valueMaps,
  valueMapKeys,
  keys,
  licensingLimits,
  proposals,
  timeZones,
  leftOut,
  conditions,
  generatedNames,
  customColumnSettings,
};
