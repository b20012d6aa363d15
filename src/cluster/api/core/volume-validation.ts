/** Validation of pod volumes (ValidateVolumes and the per-source checks it calls). */

import type { FieldError } from '../field-error.ts';
import * as field from '../field-error.ts';
import { parseQuantity } from '../quantity.ts';
import { validateDNS1123Label } from '../validation.ts';
import {
  validateLocalDescendingPath,
  validateObjectFieldSelector,
  validateResourceFieldSelector,
  volumeFieldPaths,
} from './container-validation.ts';
import type { DownwardAPIVolumeFile, KeyToPath, Volume } from './volume.ts';

const fileModeErrorMsg = 'must be a number between 0 and 0777 (octal), both inclusive';

/** The order Kubernetes examines volume sources in, which decides which one a second source is blamed on. */
const sourceOrder = [
  'hostPath',
  'emptyDir',
  'gitRepo',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'flocker',
  'persistentVolumeClaim',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'quobyte',
  'downwardAPI',
  'fc',
  'azureFile',
  'vsphereVolume',
  'photonPersistentDisk',
  'portworxVolume',
  'azureDisk',
  'storageos',
  'configMap',
  'scaleIO',
  'projected',
  'csi',
  'ephemeral',
  'image',
] as const;

const hostPathTypes = [
  '',
  'BlockDevice',
  'CharDevice',
  'Directory',
  'DirectoryOrCreate',
  'File',
  'FileOrCreate',
  'Socket',
];

function validateMode(mode: number | undefined, path: string): FieldError[] {
  return mode !== undefined && (mode < 0 || mode > 0o777)
    ? [field.invalid(path, mode, fileModeErrorMsg)]
    : [];
}

/** A projected file path: relative, no "..", not starting with "..". */
function validateLocalNonReservedPath(target: string, path: string): FieldError[] {
  const errs = validateLocalDescendingPath(target, path);
  if (target.startsWith('..') && !target.startsWith('../'))
    errs.push(field.invalid(path, target, "must not start with '..'"));
  return errs;
}

function validateKeyToPaths(items: readonly KeyToPath[] | undefined, path: string): FieldError[] {
  return (items ?? []).flatMap((kp, i) => {
    const p = field.index(path, i);
    return [
      ...(kp.key ? [] : [field.required(field.child(p, 'key'))]),
      ...(kp.path ? [] : [field.required(field.child(p, 'path'))]),
      ...validateLocalNonReservedPath(kp.path, field.child(p, 'path')),
      ...validateMode(kp.mode, field.child(p, 'mode')),
    ];
  });
}

function validateDownwardAPIFiles(
  items: readonly DownwardAPIVolumeFile[] | undefined,
  path: string,
): FieldError[] {
  return (items ?? []).flatMap((file, i) => {
    const p = field.index(path, i);
    const errs: FieldError[] = [];
    if (!file.path) errs.push(field.required(field.child(p, 'path')));
    errs.push(...validateLocalNonReservedPath(file.path, field.child(p, 'path')));
    if (file.fieldRef) {
      errs.push(...validateObjectFieldSelector(file.fieldRef, volumeFieldPaths, field.child(p, 'fieldRef')));
      if (file.resourceFieldRef) {
        errs.push(
          field.invalid(p, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'),
        );
      }
    } else if (file.resourceFieldRef) {
      errs.push(
        ...validateResourceFieldSelector(file.resourceFieldRef, true, field.child(p, 'resourceFieldRef')),
      );
    } else {
      errs.push(field.required(p, 'one of fieldRef and resourceFieldRef is required'));
    }
    errs.push(...validateMode(file.mode, field.child(p, 'mode')));
    return errs;
  });
}

const projectionNames = [
  'secret',
  'downwardAPI',
  'configMap',
  'serviceAccountToken',
  'clusterTrustBundle',
] as const;

function validateProjected(v: NonNullable<Volume['projected']>, path: string): FieldError[] {
  const errs = validateMode(v.defaultMode, field.child(path, 'defaultMode'));
  (v.sources ?? []).forEach((source, i) => {
    const p = field.index(field.child(path, 'sources'), i);
    const present = projectionNames.filter((name) => source[name] !== undefined);
    if (present.length === 0) errs.push(field.required(p, 'must specify exactly 1 volume type'));
    for (const extra of present.slice(1)) {
      errs.push(field.forbidden(field.child(p, extra), 'may not specify more than 1 volume type per source'));
    }
    if (source.secret) {
      errs.push(...(source.secret.name ? [] : [field.required(field.child(p, 'secret', 'name'))]));
      errs.push(...validateKeyToPaths(source.secret.items, field.child(p, 'secret', 'items')));
    }
    if (source.configMap) {
      errs.push(...(source.configMap.name ? [] : [field.required(field.child(p, 'configMap', 'name'))]));
      errs.push(...validateKeyToPaths(source.configMap.items, field.child(p, 'configMap', 'items')));
    }
    if (source.downwardAPI)
      errs.push(
        ...validateDownwardAPIFiles(source.downwardAPI.items, field.child(p, 'downwardAPI', 'items')),
      );
    const token = source.serviceAccountToken;
    if (token) {
      const tp = field.child(p, 'serviceAccountToken');
      if (!token.path) errs.push(field.required(field.child(tp, 'path')));
      errs.push(...validateLocalNonReservedPath(token.path, field.child(tp, 'path')));
      const seconds = token.expirationSeconds ?? 3600;
      if (seconds < 600)
        errs.push(
          field.invalid(
            field.child(tp, 'expirationSeconds'),
            seconds,
            'may not specify a duration less than 10 minutes',
          ),
        );
      if (seconds > 2 ** 32)
        errs.push(
          field.invalid(
            field.child(tp, 'expirationSeconds'),
            seconds,
            'may not specify a duration larger than 2^32 seconds',
          ),
        );
    }
  });
  return errs;
}

/** validateVolumeSource checks that exactly one source is set, then that source. */
function validateVolumeSource(v: Volume, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const present = sourceOrder.filter((name) => v[name] !== undefined);
  if (present.length === 0) return [field.required(path, 'must specify a volume type')];
  for (const extra of present.slice(1)) {
    errs.push(field.forbidden(field.child(path, extra), 'may not specify more than 1 volume type'));
  }
  const p = (...names: string[]) => field.child(path, ...names);
  switch (present[0]) {
    case 'hostPath': {
      const hp = v.hostPath!;
      if (!hp.path) errs.push(field.required(p('hostPath', 'path')));
      if (hp.path.split('/').includes('..'))
        errs.push(field.invalid(p('hostPath', 'path'), hp.path, "must not contain '..'"));
      if (hp.type !== undefined && !hostPathTypes.includes(hp.type)) {
        errs.push(field.notSupported(p('hostPath', 'type'), hp.type, hostPathTypes));
      }
      break;
    }
    case 'emptyDir': {
      const limit = v.emptyDir!.sizeLimit;
      if (limit !== undefined && parseQuantity(limit).nanos < 0n) {
        errs.push(
          field.forbidden(p('emptyDir', 'sizeLimit'), 'SizeLimit field must be a valid resource quantity'),
        );
      }
      break;
    }
    case 'secret':
      if (!v.secret!.secretName) errs.push(field.required(p('secret', 'secretName')));
      errs.push(...validateMode(v.secret!.defaultMode, p('secret', 'defaultMode')));
      errs.push(...validateKeyToPaths(v.secret!.items, p('secret', 'items')));
      break;
    case 'configMap':
      if (!v.configMap!.name) errs.push(field.required(p('configMap', 'name')));
      errs.push(...validateMode(v.configMap!.defaultMode, p('configMap', 'defaultMode')));
      errs.push(...validateKeyToPaths(v.configMap!.items, p('configMap', 'items')));
      break;
    case 'persistentVolumeClaim':
      if (!v.persistentVolumeClaim!.claimName)
        errs.push(field.required(p('persistentVolumeClaim', 'claimName')));
      break;
    case 'downwardAPI':
      errs.push(...validateMode(v.downwardAPI!.defaultMode, p('downwardAPI', 'defaultMode')));
      errs.push(...validateDownwardAPIFiles(v.downwardAPI!.items, p('downwardAPI', 'items')));
      break;
    case 'projected':
      errs.push(...validateProjected(v.projected!, p('projected')));
      break;
    case 'nfs': {
      const nfs = v.nfs!;
      if (!nfs.server) errs.push(field.required(p('nfs', 'server')));
      if (!nfs.path) errs.push(field.required(p('nfs', 'path')));
      if (!nfs.path.startsWith('/'))
        errs.push(field.invalid(p('nfs', 'path'), nfs.path, 'must be an absolute path'));
      break;
    }
    case 'csi':
      if (!v.csi!.driver) errs.push(field.required(p('csi', 'driver')));
      break;
    case 'image':
      if (!v.image!.reference) errs.push(field.required(p('image', 'reference')));
      break;
  }
  return errs;
}

/**
 * validateVolumes checks the pod volumes and returns the names of the valid ones: a mount of an
 * invalid volume is reported as "Not found" too, as in Kubernetes.
 */
export function validateVolumes(
  volumes: readonly Volume[] | undefined,
  path: string,
): { names: Set<string>; errors: FieldError[] } {
  const names = new Set<string>();
  const errors: FieldError[] = [];
  (volumes ?? []).forEach((v, i) => {
    const p = field.index(path, i);
    const namePath = field.child(p, 'name');
    const errs = validateVolumeSource(v, p);
    if (!v.name) errs.push(field.required(namePath));
    else errs.push(...validateDNS1123Label(v.name, namePath));
    if (names.has(v.name)) errs.push(field.duplicate(namePath, v.name));
    if (errs.length === 0) names.add(v.name);
    errors.push(...errs);
  });
  return { names, errors };
}
