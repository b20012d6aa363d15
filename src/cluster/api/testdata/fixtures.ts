/**
 * Manifests for tests, as kubectl sends them: each JSON file was produced by real kubectl v1.32
 * from YAML (`kubectl label --local -f x.yaml -o json`) or by `kubectl create ... --dry-run=client -o json`.
 */
import { readFileSync } from 'node:fs';

export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`./${name}.json`, import.meta.url), 'utf8'));
}
