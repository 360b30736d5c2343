import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The layering of lambdas/ (docs/architecture.md), checked on every `npm run lint`: which folder may import which,
 * which packages the pure layers may not touch, and no import cycle anywhere under lambdas/.
 */

type Layer = 'domain' | 'ports' | 'use-cases' | 'adapters' | 'platform' | 'wiring' | 'handlers';

/** Arrows point down only: handlers -> wiring -> adapters/use-cases -> ports -> domain. */
export const ALLOWED: Record<Layer, readonly Layer[]> = {
  domain: ['domain'],
  ports: ['ports', 'domain'],
  'use-cases': ['use-cases', 'ports', 'domain'],
  adapters: ['adapters', 'ports', 'domain', 'platform'],
  platform: ['platform', 'domain'],
  wiring: ['wiring', 'adapters', 'use-cases', 'ports', 'domain', 'platform'],
  handlers: ['wiring', 'use-cases', 'ports', 'domain', 'platform'],
};

/** Single modules a layer may use outside its arrows, each for a stated reason. */
export const EXCEPTIONS: Partial<Record<Layer, readonly string[]>> = {
  // Use cases log what they decide (masked emails, outcomes): the logger is their only platform dependency.
  'use-cases': ['platform/logger.ts'],
};

/** Packages the pure layers never import: no AWS SDK, no Stripe SDK, no Lambda types at runtime. */
export const FORBIDDEN_PACKAGES: Partial<Record<Layer, RegExp>> = {
  domain: /^(@aws-sdk\/|stripe$|@aws-lambda-powertools\/|aws-lambda$)/,
  ports: /^(@aws-sdk\/|stripe$|@aws-lambda-powertools\/)/,
  'use-cases': /^(@aws-sdk\/|stripe$|@aws-lambda-powertools\/)/,
};

export interface Violation {
  file: string;
  imports: string;
  rule: string;
}

const IMPORT =
  /(?:^|\n)\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function layerOf(lambdasDir: string, file: string): Layer | undefined {
  const top = relative(lambdasDir, file).split('/')[0];
  return (Object.keys(ALLOWED) as Layer[]).find((layer) => layer === top || `${layer}.ts` === top);
}

function importsOf(file: string): { spec: string; typeOnly: boolean }[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => ({ spec: m[3] ?? m[4] ?? '', typeOnly: Boolean(m[2]) }));
}

function resolveLocal(from: string, spec: string): string {
  const base = resolve(dirname(from), spec);
  return base.endsWith('.ts') || base.endsWith('.json') ? base : `${base}.ts`;
}

export function checkArchitecture(lambdasDir: string): { violations: Violation[]; cycles: string[][] } {
  const files = sourceFiles(lambdasDir);
  const violations: Violation[] = [];
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const layer = layerOf(lambdasDir, file);
    const rel = relative(lambdasDir, file);
    const edges: string[] = [];
    for (const { spec, typeOnly } of importsOf(file)) {
      if (!spec.startsWith('.')) {
        const forbidden = layer ? FORBIDDEN_PACKAGES[layer] : undefined;
        if (forbidden?.test(spec) && !typeOnly)
          violations.push({ file: rel, imports: spec, rule: `${layer} stays free of ${spec}` });
        continue;
      }
      const target = resolveLocal(file, spec);
      const targetRel = relative(lambdasDir, target);
      if (targetRel.startsWith('..')) {
        violations.push({ file: rel, imports: spec, rule: 'lambdas/ imports nothing outside lambdas/' });
        continue;
      }
      edges.push(target);
      const targetLayer = layerOf(lambdasDir, target);
      if (!layer || !targetLayer) continue;
      const allowed = ALLOWED[layer].includes(targetLayer) || (EXCEPTIONS[layer] ?? []).includes(targetRel);
      if (!allowed) violations.push({ file: rel, imports: targetRel, rule: `${layer} may not import ${targetLayer}` });
    }
    graph.set(file, edges);
  }
  return { violations, cycles: findCycles(graph).map((cycle) => cycle.map((f) => relative(lambdasDir, f))) };
}

/** Depth-first search; each cycle reported once, from its first file in visit order. */
function findCycles(graph: Map<string, string[]>): string[][] {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (node: string) => {
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'visiting') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

/**
 * Adapter classes are named `<Technology><Thing><Role>`: the technology they wrap first, the role of the port they
 * implement last (DynamoEntitlementStore implements EntitlementStore, StripeSignatureVerifier implements
 * EventVerifier). One suffix per role: Store (a table), Ledger and Log (append-only tables), Gateway (commands to a
 * service), Source (reads for the webhook or reconcile), Directory (the user pool's users), Verifier (signatures,
 * tokens), Metrics, Cleanup (account deletion). `Lazy` marks the one decorator that builds its adapter on first use.
 */
export const ADAPTER_PREFIXES = ['Dynamo', 'Cognito', 'Stripe', 'Powertools', 'Aws', 'Lazy'] as const;
export const ADAPTER_ROLES = [
  'Store',
  'Ledger',
  'Log',
  'Gateway',
  'Source',
  'Directory',
  'Verifier',
  'Metrics',
  'Cleanup',
] as const;

const EXPORTED_CLASS =
  /export\s+(?:abstract\s+)?class\s+(\w+)(?:\s+extends\s+[\w.<>]+)?(?:\s+implements\s+([^{]+))?\s*\{/g;
const roleOf = (name: string) => ADAPTER_ROLES.find((role) => name.endsWith(role));

/** Every exported class under adapters/ that breaks the naming rule, with the reason. */
export function checkAdapterNames(lambdasDir: string): Violation[] {
  const adaptersDir = join(lambdasDir, 'adapters');
  const violations: Violation[] = [];
  for (const file of sourceFiles(adaptersDir)) {
    const rel = relative(lambdasDir, file);
    for (const match of readFileSync(file, 'utf8').matchAll(EXPORTED_CLASS)) {
      const name = match[1] ?? '';
      const ports = (match[2] ?? '')
        .split(',')
        .map((port) => port.trim().replace(/<.*$/, ''))
        .filter((port) => port !== '');
      const rule = (reason: string) => violations.push({ file: rel, imports: name, rule: reason });
      const role = roleOf(name);
      if (!ADAPTER_PREFIXES.some((prefix) => name.startsWith(prefix)))
        rule(`an adapter class starts with its technology (${ADAPTER_PREFIXES.join(', ')})`);
      if (!role) rule(`an adapter class ends with its role (${ADAPTER_ROLES.join(', ')})`);
      else if (ports.length > 0 && !ports.some((port) => roleOf(port) === role))
        rule(`an adapter class ends with the role of a port it implements (${ports.join(', ')})`);
    }
  }
  return violations;
}

/**
 * Port names end with a role too: the adapter roles, plus `Reader` (a read-only slice of a Store that a use case
 * takes, e.g. `EntitlementReader`). A port is an exported interface with at least one method, or an exported type
 * that picks methods of another port; data shapes (inputs, outcomes, records) are exempt.
 */
export const PORT_ROLES = [...ADAPTER_ROLES, 'Reader'] as const;

const EXPORTED_INTERFACE = /export\s+interface\s+(\w+)(?:<[^>]*>)?(?:\s+extends\s+[^{]+)?\s*\{([\s\S]*?)\n\}/g;
const EXPORTED_PICK = /export\s+type\s+(\w+)\s*=\s*(?:Pick|Omit)<\s*(\w+)/g;
const METHOD = /^\s*(?:readonly\s+)?\w+\??\s*(?:<[^>]*>)?\(/m;

/** Every port under ports/ whose name does not end with a role. */
export function checkPortNames(lambdasDir: string): Violation[] {
  const violations: Violation[] = [];
  const rule = `a port ends with its role (${PORT_ROLES.join(', ')})`;
  for (const file of sourceFiles(join(lambdasDir, 'ports'))) {
    const rel = relative(lambdasDir, file);
    const text = readFileSync(file, 'utf8');
    const names = [
      ...[...text.matchAll(EXPORTED_INTERFACE)].filter((m) => METHOD.test(m[2] ?? '')).map((m) => m[1] ?? ''),
      ...[...text.matchAll(EXPORTED_PICK)].map((m) => m[1] ?? ''),
    ];
    for (const name of names)
      if (!PORT_ROLES.some((role) => name.endsWith(role))) violations.push({ file: rel, imports: name, rule });
  }
  return violations;
}

if (require.main === module) {
  const lambdasDir = resolve(__dirname, '..', 'lambdas');
  const { violations, cycles } = checkArchitecture(lambdasDir);
  const names = [...checkAdapterNames(lambdasDir), ...checkPortNames(lambdasDir)];
  for (const v of violations) console.error(`lambdas/${v.file}: imports ${v.imports} (${v.rule})`);
  for (const cycle of cycles) console.error(`import cycle: ${cycle.join(' -> ')}`);
  for (const v of names) console.error(`lambdas/${v.file}: ${v.imports} (${v.rule})`);
  if (violations.length + cycles.length + names.length > 0) {
    console.error(
      `\n${violations.length} boundary violation(s), ${cycles.length} cycle(s), ${names.length} misnamed adapter(s) or port(s): ` +
        'see docs/architecture.md',
    );
    process.exit(1);
  }
  console.log('architecture: layers, imports, adapter and port names as in docs/architecture.md, no cycle');
}
