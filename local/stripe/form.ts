/**
 * Decodes Stripe's form encoding (what stripe-node sends for v1): `metadata[cognito_sub]=x`,
 * `line_items[0][price]=p`, `expand[]=a`, `lookup_keys[]=k`. Values stay strings; endpoints coerce them.
 */

export type FormValue = string | FormObject | FormValue[];
export interface FormObject {
  [key: string]: FormValue;
}

/** `a[b][0][c]` -> ['a', 'b', '0', 'c']; `a[]` -> ['a', '']. */
export function keyPath(key: string): string[] {
  const open = key.indexOf('[');
  if (open < 0) return [key];
  const parts = [key.slice(0, open)];
  for (const match of key.slice(open).matchAll(/\[([^\]]*)\]/g)) parts.push(match[1] ?? '');
  return parts;
}

export function decodeForm(text: string): FormObject {
  const root: FormObject = {};
  for (const [key, value] of new URLSearchParams(text)) assign(root, keyPath(key), value);
  return normalizeArrays(root) as FormObject;
}

/** Pairs in order, for the unknown-parameter check (it names the key exactly as sent). */
export function formKeys(text: string): string[] {
  return [...new URLSearchParams(text).keys()];
}

// Indexed segments (`[0]`) are collected into objects first and turned into arrays once all pairs are in, so
// `items[1][price]` before `items[0][price]` still works.
const APPEND = Symbol('append');

function assign(target: FormObject, path: string[], value: string): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) {
    if (head === '') pushAppend(target, value);
    else target[head] = value;
    return;
  }
  const key = head === '' ? nextAppendIndex(target) : head;
  const existing = target[key];
  const child: FormObject = typeof existing === 'object' && !Array.isArray(existing) ? existing : {};
  target[key] = child;
  assign(child, rest, value);
}

function pushAppend(target: FormObject, value: string): void {
  target[nextAppendIndex(target)] = value;
}

function nextAppendIndex(target: FormObject): string {
  const holder = target as FormObject & { [APPEND]?: number };
  const next = holder[APPEND] ?? 0;
  holder[APPEND] = next + 1;
  return String(next);
}

function normalizeArrays(value: FormValue): FormValue {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const normalized: FormObject = {};
  for (const key of keys) normalized[key] = normalizeArrays(value[key] as FormValue);
  const indexed = keys.length > 0 && keys.every((key) => /^\d+$/.test(key));
  if (!indexed) return normalized;
  return keys
    .map(Number)
    .sort((a, b) => a - b)
    .map((index) => normalized[String(index)] as FormValue);
}
