import { invalidParameter } from './errors';
import type { FormObject, FormValue } from './form';

/** Form values are strings; these read them the way Stripe does and name the parameter when they cannot. */

export function optString(value: FormValue | undefined, param: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidParameter(param, `Invalid string: ${param} must be a string`);
  return value;
}

export function optInt(value: FormValue | undefined, param: string): number | undefined {
  const text = optString(value, param);
  if (text === undefined || text === '') return undefined;
  if (!/^-?\d+$/.test(text)) throw invalidParameter(param, `Invalid integer: ${text}`, 'parameter_invalid_integer');
  return Number(text);
}

export function optBool(value: FormValue | undefined, param: string): boolean | undefined {
  const text = optString(value, param);
  if (text === undefined || text === '') return undefined;
  if (text !== 'true' && text !== 'false')
    throw invalidParameter(param, `Invalid boolean: ${text}`, 'parameter_invalid_boolean');
  return text === 'true';
}

/** Stripe metadata: string values, `''` unsets a key; at most 50 keys, keys <= 40 chars, values <= 500 chars. */
export function mergeMetadata(
  current: Record<string, string>,
  value: FormValue | undefined,
  param = 'metadata',
): Record<string, string> {
  if (value === undefined) return current;
  if (value === '') return {};
  const entries: [string, FormValue][] = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : typeof value === 'object'
      ? Object.entries(value)
      : [];
  if (typeof value === 'string') throw invalidParameter(param, `Invalid object: ${param} must be a hash`);
  const next = { ...current };
  for (const [key, v] of entries) {
    if (typeof v !== 'string') throw invalidParameter(`${param}[${key}]`, `Invalid string: ${param}[${key}]`);
    if (key.length > 40) throw invalidParameter(`${param}[${key}]`, 'Metadata keys can be at most 40 characters');
    if (v.length > 500) throw invalidParameter(`${param}[${key}]`, 'Metadata values can be at most 500 characters');
    if (v === '') delete next[key];
    else next[key] = v;
  }
  if (Object.keys(next).length > 50) throw invalidParameter(param, 'Metadata can have at most 50 keys');
  return next;
}

export function asArray(value: FormValue | undefined): FormValue[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value;
  if (typeof value === 'object') return Object.values(value);
  return [value];
}

export function asObject(value: FormValue | undefined, param: string): FormObject {
  if (value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalidParameter(param, `Invalid object: ${param} must be a hash`);
  }
  return value;
}

export function stringList(value: FormValue | undefined, param: string): string[] {
  return asArray(value).map((v, i) => {
    if (typeof v !== 'string') throw invalidParameter(`${param}[${i}]`, `Invalid string: ${param}[${i}]`);
    return v;
  });
}
