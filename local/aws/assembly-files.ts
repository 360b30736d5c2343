import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CfnTemplate, StackTemplate } from './template';

/**
 * Reads a cloud assembly folder (what `cdk synth` writes): manifest.json, each stack's template and metadata, and
 * the asset manifests that map a function's S3 object key back to its bundle folder. Nested assemblies (CDK Stages)
 * are read too.
 */

export class CloudAssemblyError extends Error {
  override name = 'CloudAssemblyError';
}

interface Artifact {
  type: string;
  properties?: { templateFile?: string; stackName?: string; file?: string; directoryName?: string };
  metadata?: Record<string, MetadataEntry[]>;
  additionalMetadataFile?: string;
  displayName?: string;
}

interface MetadataEntry {
  type: string;
  data?: unknown;
}

interface AssetManifest {
  files?: Record<string, { source: { path?: string }; destinations?: Record<string, { objectKey?: string }> }>;
}

export interface AssemblyFiles {
  stacks: StackTemplate[];
  /** S3 object key (`<hash>.zip`) -> absolute folder of the asset. */
  assetDirs: Map<string, string>;
}

function readJson<T>(file: string): T {
  if (!existsSync(file)) throw new CloudAssemblyError(`${file} does not exist: is this a cloud assembly folder?`);
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

export function readAssemblyFiles(dir: string, into: AssemblyFiles = { stacks: [], assetDirs: new Map() }) {
  const manifest = readJson<{ artifacts?: Record<string, Artifact> }>(path.join(dir, 'manifest.json'));
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    const props = artifact.properties ?? {};
    if (artifact.type === 'aws:cloudformation:stack' && props.templateFile) {
      into.stacks.push({
        stackName: props.stackName ?? id,
        template: readJson<CfnTemplate>(path.join(dir, props.templateFile)),
        assemblyDir: dir,
        constructPaths: constructPathsOf(dir, artifact),
      });
    } else if (artifact.type === 'cdk:asset-manifest' && props.file) {
      addAssetDirs(dir, readJson<AssetManifest>(path.join(dir, props.file)), into.assetDirs);
    } else if (artifact.type === 'cdk:cloud-assembly' && props.directoryName) {
      readAssemblyFiles(path.join(dir, props.directoryName), into);
    }
  }
  return into;
}

function addAssetDirs(dir: string, manifest: AssetManifest, assetDirs: Map<string, string>): void {
  for (const file of Object.values(manifest.files ?? {})) {
    if (!file.source.path) continue;
    for (const destination of Object.values(file.destinations ?? {})) {
      if (destination.objectKey) assetDirs.set(destination.objectKey, path.resolve(dir, file.source.path));
    }
  }
}

/** Logical id -> construct path from the `aws:cdk:logicalId` entries (inline or in the additional metadata file). */
function constructPathsOf(dir: string, artifact: Artifact): Map<string, string> {
  const metadata: Record<string, MetadataEntry[]> = {
    ...artifact.metadata,
    ...(artifact.additionalMetadataFile
      ? readJson<Record<string, MetadataEntry[]>>(path.join(dir, artifact.additionalMetadataFile))
      : {}),
  };
  const paths = new Map<string, string>();
  for (const [constructPath, entries] of Object.entries(metadata)) {
    for (const entry of entries) {
      if (entry.type === 'aws:cdk:logicalId' && typeof entry.data === 'string') {
        paths.set(entry.data, constructPath.replace(/^\//, ''));
      }
    }
  }
  return paths;
}
