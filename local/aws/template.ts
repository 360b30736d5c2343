/** The parts of a CloudFormation template (as CDK synthesizes it) that the local tier reads. */

export interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}

export interface TemplateOutput {
  Value: unknown;
  Export?: { Name: unknown };
}

export interface TemplateParameter {
  Type?: string;
  Default?: unknown;
}

export interface CfnTemplate {
  Resources?: Record<string, TemplateResource>;
  Outputs?: Record<string, TemplateOutput>;
  Parameters?: Record<string, TemplateParameter>;
}

/** One deployed stack: its name, template and where its assembly lives (asset paths are relative to it). */
export interface StackTemplate {
  stackName: string;
  template: CfnTemplate;
  assemblyDir: string;
  /** Logical id -> construct path, from the assembly's `aws:cdk:logicalId` metadata (no leading slash). */
  constructPaths: Map<string, string>;
}

export function resourcesOf(stack: StackTemplate): [string, TemplateResource][] {
  return Object.entries(stack.template.Resources ?? {});
}

export function resourcesOfType(stack: StackTemplate, type: string): [string, TemplateResource][] {
  return resourcesOf(stack).filter(([, resource]) => resource.Type === type);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
