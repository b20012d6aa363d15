import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import type { KubeObject } from '../../cluster/api/meta.ts';
import { KubectlError } from './resource-names.ts';

/** The part of a manifest kubectl needs before the server sees it: its kind and name. */
const Manifest = z
  .object({
    apiVersion: z.string(),
    kind: z.string(),
    metadata: z
      .object({ name: z.string().optional(), namespace: z.string().optional() })
      .passthrough()
      .default({}),
  })
  .passthrough();

/** An object from a file, with the file it came from (create and apply name it in errors). */
export interface ManifestObject {
  readonly source: string;
  readonly object: KubeObject & { apiVersion: string; kind: string };
}

/** The files one -f names: the file, or a folder's .yaml, .yml and .json files in name order. */
async function filesOf(path: string, cwd: string): Promise<string[]> {
  const full = resolve(cwd, path);
  const info = await stat(full).catch(() => undefined);
  if (!info) throw new KubectlError(`the path "${path}" does not exist`);
  if (!info.isDirectory()) return [path];
  const names = (await readdir(full)).filter((n) => ['.yaml', '.yml', '.json'].includes(extname(n))).sort();
  return names.map((n) => `${path.replace(/\/$/, '')}/${n}`);
}

/** readManifests reads every object of the -f paths (YAML streams or JSON); List kinds are unfolded. */
export async function readManifests(paths: readonly string[], cwd: string): Promise<ManifestObject[]> {
  const objects: ManifestObject[] = [];
  for (const path of paths) {
    for (const file of await filesOf(path, cwd)) {
      const text = await readFile(resolve(cwd, file), 'utf8');
      for (const doc of parseAllDocuments(text)) {
        if (doc.errors.length) throw new KubectlError(`error parsing ${file}: ${doc.errors[0]!.message}`);
        const raw: unknown = doc.toJS();
        if (raw === null || raw === undefined) continue;
        const items = (raw as { kind?: string; items?: unknown[] }).kind?.endsWith('List')
          ? ((raw as { items?: unknown[] }).items ?? [])
          : [raw];
        for (const item of items) {
          const parsed = Manifest.safeParse(item);
          if (!parsed.success) {
            throw new KubectlError(
              `error validating data: ${parsed.error.issues[0]!.path.join('.')} not set`,
            );
          }
          objects.push({ source: file, object: parsed.data as ManifestObject['object'] });
        }
      }
    }
  }
  return objects;
}
