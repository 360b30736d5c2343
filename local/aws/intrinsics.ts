import { physicalAtt, physicalRef } from './local-names';
import type { LocalResourceNames } from './model';
import { isRecord, type StackTemplate } from './template';

/**
 * Resolves CloudFormation intrinsics (Ref, Fn::GetAtt, Fn::ImportValue, Fn::Join, Fn::Select, Fn::Split, Fn::Sub and
 * the pseudo parameters) to local values. Anything it cannot resolve throws, naming stack, logical id and intrinsic:
 * a silently empty value is exactly the kind of drift the shipped-artifact tier exists to catch.
 */

export class UnresolvableIntrinsicError extends Error {
  override name = 'UnresolvableIntrinsicError';
}

/** Where a value sits: its stack and the resource (or `Outputs.<key>`) it belongs to. */
export interface Scope {
  stack: StackTemplate;
  logicalId: string;
}

type Intrinsic = [name: string, argument: unknown];

function intrinsicOf(value: unknown): Intrinsic | undefined {
  if (!isRecord(value)) return undefined;
  const keys = Object.keys(value);
  const [key] = keys;
  if (keys.length !== 1 || key === undefined || !(key === 'Ref' || key.startsWith('Fn::'))) return undefined;
  return [key, value[key]];
}

export class IntrinsicResolver {
  private readonly exports = new Map<string, { stack: StackTemplate; outputKey: string }>();
  private readonly exportValues = new Map<string, string>();
  private readonly resolving = new Set<string>();

  constructor(
    stacks: StackTemplate[],
    private readonly local: LocalResourceNames,
  ) {
    for (const stack of stacks) {
      for (const [outputKey, output] of Object.entries(stack.template.Outputs ?? {})) {
        if (output.Export === undefined) continue;
        const name = this.string({ stack, logicalId: `Outputs.${outputKey}` }, output.Export.Name);
        this.exports.set(name, { stack, outputKey });
      }
    }
  }

  /** Deep-resolves a template value: intrinsics become strings (or lists), objects and arrays are walked. */
  resolve(scope: Scope, value: unknown): unknown {
    const intrinsic = intrinsicOf(value);
    if (intrinsic) return this.intrinsic(scope, intrinsic);
    if (Array.isArray(value)) return value.map((item) => this.resolve(scope, item));
    if (isRecord(value)) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.resolve(scope, item)]));
    }
    // Dynamic references (SSM, Secrets Manager; CDK's weak cross-stack references) are filled in at deploy time.
    if (typeof value === 'string' && value.includes('{{resolve:')) {
      throw this.error(scope, value, 'a dynamic reference is resolved by CloudFormation at deploy time only');
    }
    return value;
  }

  /** Resolves a value that must end up a string (numbers and booleans are stringified, as CloudFormation does). */
  string(scope: Scope, value: unknown): string {
    const resolved = this.resolve(scope, value);
    if (typeof resolved === 'string') return resolved;
    if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
    throw this.error(scope, value, `expected a string, got ${JSON.stringify(resolved)}`);
  }

  /** Resolves a value that must end up a list of strings (a single string becomes a one-item list). */
  strings(scope: Scope, value: unknown): string[] {
    const resolved = this.resolve(scope, value);
    const list = Array.isArray(resolved) ? resolved : [resolved];
    if (list.every((item) => typeof item === 'string')) return list as string[];
    throw this.error(scope, value, `expected strings, got ${JSON.stringify(resolved)}`);
  }

  /** The value of an export (`Fn::ImportValue`), resolved in its exporting stack. */
  exportValue(scope: Scope, name: string): string {
    const cached = this.exportValues.get(name);
    if (cached !== undefined) return cached;
    const source = this.exports.get(name);
    if (!source) throw this.error(scope, { 'Fn::ImportValue': name }, 'no stack in the assembly exports this name');
    if (this.resolving.has(name)) throw this.error(scope, { 'Fn::ImportValue': name }, 'circular export');
    this.resolving.add(name);
    try {
      const output = source.stack.template.Outputs?.[source.outputKey];
      const value = this.string({ stack: source.stack, logicalId: `Outputs.${source.outputKey}` }, output?.Value);
      this.exportValues.set(name, value);
      return value;
    } finally {
      this.resolving.delete(name);
    }
  }

  error(scope: Scope, intrinsic: unknown, why: string): UnresolvableIntrinsicError {
    const shown = JSON.stringify(intrinsic)?.slice(0, 300);
    return new UnresolvableIntrinsicError(
      `${scope.stack.stackName}/${scope.logicalId}: cannot resolve ${shown}: ${why}`,
    );
  }

  private intrinsic(scope: Scope, [name, argument]: Intrinsic): unknown {
    const original = { [name]: argument };
    switch (name) {
      case 'Ref':
        return this.ref(scope, argument, original);
      case 'Fn::GetAtt':
        return this.getAtt(scope, argument, original);
      case 'Fn::ImportValue':
        return this.exportValue(scope, this.string(scope, argument));
      case 'Fn::Join':
        return this.join(scope, argument, original);
      case 'Fn::Select':
        return this.select(scope, argument, original);
      case 'Fn::Split':
        return this.split(scope, argument, original);
      case 'Fn::Sub':
        return this.sub(scope, argument, original);
      default:
        throw this.error(scope, original, `${name} is not supported by the local resolver`);
    }
  }

  private ref(scope: Scope, name: unknown, original: unknown): string {
    if (typeof name !== 'string') throw this.error(scope, original, 'Ref takes a name');
    const pseudo = this.pseudo(scope.stack, name);
    if (pseudo !== undefined) return pseudo;
    const resource = scope.stack.template.Resources?.[name];
    if (resource) return physicalRef(this.local, name, resource);
    const parameter = scope.stack.template.Parameters?.[name];
    if (parameter?.Type?.startsWith('AWS::SSM::Parameter')) {
      throw this.error(scope, original, 'an SSM parameter value is only known in AWS');
    }
    if (parameter?.Default !== undefined) return this.string(scope, parameter.Default);
    throw this.error(scope, original, `no resource, parameter with a default, or pseudo parameter named ${name}`);
  }

  private pseudo(stack: StackTemplate, name: string): string | undefined {
    const values: Record<string, string> = {
      'AWS::Region': this.local.region,
      'AWS::AccountId': this.local.accountId,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': stack.stackName,
      'AWS::StackId': `arn:aws:cloudformation:${this.local.region}:${this.local.accountId}:stack/${stack.stackName}/local`,
    };
    return values[name];
  }

  private getAtt(scope: Scope, argument: unknown, original: unknown): string {
    const parts = typeof argument === 'string' ? argument.split(/\.(.*)/s, 2) : argument;
    if (!Array.isArray(parts) || parts.length !== 2) throw this.error(scope, original, 'GetAtt takes [id, attribute]');
    const [logicalId, attribute] = [this.string(scope, parts[0]), this.string(scope, parts[1])];
    const resource = scope.stack.template.Resources?.[logicalId];
    if (!resource) throw this.error(scope, original, `no resource ${logicalId} in this stack`);
    return physicalAtt(this.local, logicalId, resource, attribute);
  }

  private join(scope: Scope, argument: unknown, original: unknown): string {
    if (!Array.isArray(argument) || argument.length !== 2) throw this.error(scope, original, 'takes [delimiter, list]');
    return this.strings(scope, argument[1]).join(this.string(scope, argument[0]));
  }

  private select(scope: Scope, argument: unknown, original: unknown): string {
    if (!Array.isArray(argument) || argument.length !== 2) throw this.error(scope, original, 'takes [index, list]');
    const index = Number(this.string(scope, argument[0]));
    const item = this.strings(scope, argument[1])[index];
    if (item === undefined) throw this.error(scope, original, `index ${index} is out of range`);
    return item;
  }

  private split(scope: Scope, argument: unknown, original: unknown): string[] {
    if (!Array.isArray(argument) || argument.length !== 2) throw this.error(scope, original, 'takes [delimiter, text]');
    return this.string(scope, argument[1]).split(this.string(scope, argument[0]));
  }

  private sub(scope: Scope, argument: unknown, original: unknown): string {
    const [text, variables] = Array.isArray(argument) ? argument : [argument, {}];
    if (typeof text !== 'string' || !isRecord(variables))
      throw this.error(scope, original, 'takes text or [text, map]');
    return text.replace(/\$\{([^}]*)\}/g, (_match, name: string) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      if (name in variables) return this.string(scope, variables[name]);
      if (name.includes('.') && !name.startsWith('AWS::')) return this.getAtt(scope, name, original);
      return this.ref(scope, name, original);
    });
  }
}
