import { flag } from './issues.ts';
import { asText, isEmpty, stripControl } from './text.ts';
import type { Issues } from './types.ts';

/*
 * Steps over whole values: conversion to text, choosing among several fields, joining, defaults and
 * template printing. "Empty" means the same everywhere: null, undefined, or text that is empty or only
 * whitespace (text.ts isEmpty).
 */

/** A number, boolean, date or text as text (numbers as JavaScript prints them); null for no value. */
export function toText(v: unknown): string | null {
  return asText(v);
}

/**
 * Whether coalesce takes a value: not empty, with a text form (a list or an object has none), and not
 * only control characters and spaces (which the cleaning steps after it would leave empty, losing the
 * fallback).
 */
function worthTaking(v: unknown): boolean {
  if (isEmpty(v)) return false;
  if (typeof v !== 'string') return asText(v) !== null;
  const first = v.charCodeAt(0);
  if (first > 0x20 && first < 0x7f) return true;
  return stripControl(v)!.trim().length > 0;
}

/** The first value worth taking (see worthTaking), or null. */
export function coalesce(values: readonly unknown[]): unknown {
  for (const v of values) if (worthTaking(v)) return v;
  return null;
}

/**
 * The non-empty values as text, joined by `delimiter`; null when none is left. Values without a text
 * form (objects, lists) are left out like empty ones.
 */
export function join(values: readonly unknown[], delimiter: string): string | null {
  let out: string | null = null;
  for (const v of values) {
    if (isEmpty(v)) continue;
    const text = asText(v);
    if (text === null) continue;
    out = out === null ? text : out + delimiter + text;
  }
  return out;
}

/** The value, or `fallback` when it is empty. */
export function withDefault<T>(v: T | null | undefined, fallback: T): T {
  return isEmpty(v) ? fallback : (v as T);
}

/** How a value prints inside a template (see templateValue); an object sets `lost.object` and prints ''. */
function printed(v: unknown, lost: { object: boolean }): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map((item) => printed(item, lost)).join(', ');
  const text = asText(v) ?? (typeof v === 'number' ? String(v) : null);
  if (text === null) lost.object = true;
  return text ?? '';
}

/**
 * How a field prints inside a template: null and undefined as '', numbers as JavaScript prints them,
 * booleans as true/false, text as it is; a list prints its elements this way separated by ', '. An
 * object, which a template has no way to format, prints as '' and, given `issues`, with an
 * `unreadable_value_dropped` flag on `column` (once per field read), so that it is not lost unseen.
 */
export function templateValue(v: unknown, issues?: Issues, column = ''): string {
  if (typeof v === 'string') return v;
  const lost = { object: false };
  const text = printed(v, lost);
  if (lost.object && issues)
    flag(
      issues,
      column,
      'unreadable_value_dropped',
      `${Array.isArray(v) ? 'a list holding an object' : 'an object'} where text was expected; left out of the template`,
    );
  return text;
}
