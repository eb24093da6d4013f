import type { IrColumnType, IrSourceField, IrSourceType } from '../../ir/types.ts';
import { literal } from '../literals.ts';

/** The TypeScript type of a source field in the record interfaces (values may also be missing). */
export function sourceTs(type: IrSourceType): string {
  switch (type.kind) {
    case 'id':
    case 'string':
    case 'text':
    case 'date':
    case 'datetime':
      return 'string';
    case 'integer':
    case 'decimal':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'enum':
      return type.open || type.values.length === 0 ? 'string' : type.values.map(literal).join(' | ');
    case 'array': {
      const inner = sourceTs(type.items);
      return `readonly (${inner})[]`;
    }
    case 'object':
      return `{ ${type.fields.map(fieldTs).join('; ')} }`;
  }
}

/** One property of a record interface. */
export function fieldTs(field: IrSourceField): string {
  return `readonly ${literal(field.name)}?: ${sourceTs(field.type)}${field.nullable ? ' | null' : ''}`;
}

/** The TypeScript type of a column value in a row payload, as the Web API takes it. */
export function columnTs(type: IrColumnType): string {
  switch (type) {
    case 'integer':
    case 'bigint':
    case 'decimal':
    case 'double':
    case 'money':
    case 'choice':
    case 'state':
    case 'status':
      return 'number | null';
    case 'boolean':
      return 'boolean | null';
    default:
      return 'string | null';
  }
}
