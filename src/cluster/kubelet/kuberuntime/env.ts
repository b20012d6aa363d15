import type { Container } from '../../api/core/container.ts';
import type { Pod } from '../../api/core/pod.ts';
import type { KeyValue } from '../../runtime/cri.ts';
import type { ConfigSources } from '../config-sources.ts';
import { containerResourceValue, type DownwardContext, podFieldValue } from '../downward-api.ts';

/**
 * expandVars is third_party/forked/golang/expansion: $(NAME) becomes an earlier variable's value,
 * $$ an escaped $, and a reference to an unknown name stays as written.
 */
export function expandVars(input: string, defined: ReadonlyMap<string, string>): string {
  return input.replace(/\$\$|\$\(([^)]*)\)/g, (whole, name: string | undefined) => {
    if (whole === '$$') return '$';
    return name !== undefined && defined.has(name) ? defined.get(name)! : whole;
  });
}

/**
 * makeEnvironmentVariables (kubelet_pods.go): envFrom first (each ConfigMap or Secret, with its
 * prefix), then env in order, later names winning; valueFrom reads pod fields, resources,
 * ConfigMap and Secret keys. A missing source fails the container with CreateContainerConfigError
 * unless it is optional. The Services' variables (`serviceEnv`) come last, for names not set already.
 */
export async function makeEnvironmentVariables(
  pod: Pod,
  container: Container,
  sources: ConfigSources,
  context: DownwardContext,
  serviceEnv: ReadonlyMap<string, string> = new Map(),
): Promise<KeyValue[]> {
  const namespace = pod.metadata.namespace ?? 'default';
  const env = new Map<string, string>();
  // $(NAME) may name a Service variable; one the container sets itself wins over it.
  const defined = () => new Map([...serviceEnv, ...env]);
  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref?.name) continue;
    const kind = from.configMapRef ? 'configmap' : 'secret';
    const data =
      kind === 'configmap'
        ? await sources.configMap(namespace, ref.name)
        : await sources.secret(namespace, ref.name);
    if (!data) {
      if (ref.optional) continue;
      await sources.required(kind, namespace, ref.name);
    }
    for (const [key, value] of Object.entries(data ?? {})) env.set(`${from.prefix ?? ''}${key}`, value);
  }
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    if (!from) {
      env.set(variable.name, expandVars(variable.value ?? '', defined()));
      continue;
    }
    if (from.fieldRef) env.set(variable.name, podFieldValue(pod, from.fieldRef, context));
    else if (from.resourceFieldRef) {
      const target = from.resourceFieldRef.containerName
        ? (pod.spec.containers.find((c) => c.name === from.resourceFieldRef?.containerName) ?? container)
        : container;
      env.set(variable.name, containerResourceValue(from.resourceFieldRef, target, context));
    } else {
      const keyRef = from.configMapKeyRef ?? from.secretKeyRef;
      if (!keyRef?.name) continue;
      const kind = from.configMapKeyRef ? 'ConfigMap' : 'Secret';
      const data =
        kind === 'ConfigMap'
          ? await sources.configMap(namespace, keyRef.name)
          : await sources.secret(namespace, keyRef.name);
      if (!data) {
        if (keyRef.optional) continue;
        await sources.required(kind === 'ConfigMap' ? 'configmap' : 'secret', namespace, keyRef.name);
      }
      const value = data?.[keyRef.key];
      if (value === undefined) {
        if (keyRef.optional) continue;
        throw new Error(`couldn't find key ${keyRef.key} in ${kind} ${namespace}/${keyRef.name}`);
      }
      env.set(variable.name, value);
    }
  }
  for (const [key, value] of serviceEnv) if (!env.has(key)) env.set(key, value);
  return [...env].map(([key, value]) => ({ key, value }));
}
