import { byText } from '../../runtime/shared/order.ts';
import type { TargetColumn } from '../model/spec.ts';
import { columnOf, type SpecContext, tableOf } from '../validate/context.ts';
import type { IrColumn, IrColumnType, IrMapping, IrTable } from './types.ts';

function irColumn(column: TargetColumn, custom: boolean): IrColumn {
  return {
    name: column.name,
    type: column.type as IrColumnType,
    maxLength: column.maxLength,
    custom,
    createOnly: column.createOnly,
    targets: [...column.targets]
      .map(([table, nav]) => ({ table, nav }))
      .sort((a, b) => byText(a.table, b.table)),
  };
}

/** Columns a mapping writes or reads on its table, beyond its field maps. */
function extraColumns(m: IrMapping): string[] {
  const names: string[] = [];
  if (m.key.kind !== 'derived') names.push(m.key.column);
  if (m.owner) names.push('ownerid');
  if (m.state) names.push('statecode', 'statuscode');
  if (m.archive) names.push(m.archive.urlColumn);
  if (m.document) names.push('filename', 'mimetype', 'documentbody', 'isdocument', 'notetext');
  if (m.key.kind === 'match' && m.target === 'systemuser') names.push('isdisabled');
  return names;
}

/** Every table the mappings write, in load order, with the columns the runtime needs to know. */
export function buildTables(ctx: SpecContext, mappings: readonly IrMapping[]): IrTable[] {
  const names = [...new Set(mappings.map((m) => m.target))];
  return names.map((name) => {
    const table = tableOf(ctx, name)!;
    const writers = mappings.filter((m) => m.target === name);
    const columnNames = new Set<string>([table.primaryId]);
    for (const m of writers) {
      for (const f of m.fields) columnNames.add(f.column);
      for (const l of m.lookups) columnNames.add(l.column);
      for (const r of m.roles) columnNames.add(r.column);
      for (const c of extraColumns(m)) columnNames.add(c);
    }
    const columns = [...columnNames].sort().flatMap((c) => {
      const found = columnOf(ctx, name, c);
      return found ? [irColumn(found.column, found.custom !== undefined || ctx.customTables.has(name))] : [];
    });
    const keys = [
      ...new Set(writers.flatMap((m) => (m.key.kind === 'alternate' ? [m.key.column] : []))),
    ].sort();
    return {
      name,
      entitySet: table.entitySet,
      primaryId: table.primaryId,
      primaryName: table.primaryName,
      custom: ctx.customTables.has(name),
      ownership: table.ownership,
      bulkMessages: table.bulkMessages,
      columns,
      alternateKeys: keys,
    };
  });
}
