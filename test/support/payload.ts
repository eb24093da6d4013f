import type { GeneratedModule, MappingDefinition, SourceRecord } from '../../runtime/mapping/index.ts';

/**
 * The generated module, but the rows of mapping `name` carry `extra(record)` over their payload: a
 * value the transformer would never send, such as one an organisation's narrower column refuses.
 */
export function withPayload(
  module: GeneratedModule,
  name: string,
  extra: (record: SourceRecord) => Readonly<Record<string, unknown>>,
): GeneratedModule {
  const mapping = module.MAPPINGS[name]!;
  const transform: MappingDefinition['transform'] = (record) => {
    const outcome = mapping.transform(record);
    if (outcome.kind !== 'rows') return outcome;
    return {
      ...outcome,
      rows: outcome.rows.map((row) => ({ ...row, payload: { ...row.payload, ...extra(record) } })),
    };
  };
  return { ...module, MAPPINGS: { ...module.MAPPINGS, [name]: { ...mapping, transform } } };
}
