/**
 * core/v1 Volume. The sources a lab node can provide are spelled out field by field; the cloud
 * and network storage sources are accepted as opaque objects so real manifests still parse.
 */
import type { z } from 'zod';
import { LabelSelector } from '../meta.ts';
import {
  apiPackage,
  bool,
  int32,
  int64,
  listOf,
  opaque,
  optional,
  Quantity,
  required,
  str,
  stringMap,
} from '../schema.ts';
import { ObjectFieldSelector, ResourceFieldSelector } from './container.ts';
import { LocalObjectReference } from './references.ts';

const core = apiPackage('io.k8s.api.core.v1');

export const KeyToPath = core.struct('KeyToPath', 'Maps one key of a ConfigMap or Secret to a file.', {
  key: required(str, 'The key to project.'),
  path: required(str, 'Relative file path to write it to; may not contain "..".'),
  mode: optional(int32, 'File mode bits, 0000-0777 (octal); the volume default otherwise.'),
});
export type KeyToPath = z.infer<typeof KeyToPath>;

export const HostPathVolumeSource = core.struct(
  'HostPathVolumeSource',
  "A file or directory from the node's filesystem.",
  {
    path: required(str, 'Path on the node.'),
    type: optional(
      str,
      'What must be there: "" (no check), DirectoryOrCreate, Directory, FileOrCreate, File, ...',
    ),
  },
);

export const EmptyDirVolumeSource = core.struct(
  'EmptyDirVolumeSource',
  'A scratch directory that lives as long as the pod.',
  {
    medium: optional(str, '"" for node storage, Memory for a tmpfs.'),
    sizeLimit: optional(Quantity, 'Most space the directory may use.'),
  },
);

export const SecretVolumeSource = core.struct('SecretVolumeSource', 'The keys of a Secret as files.', {
  secretName: optional(str, 'Name of the Secret in the pod namespace.'),
  items: optional(listOf(KeyToPath), 'Only these keys, at these paths; all keys otherwise.'),
  defaultMode: optional(int32, 'Mode bits of the files; 0644 by default.'),
  optional: optional(bool, 'Tolerate a missing Secret or key.'),
});

export const ConfigMapVolumeSource = core.struct(
  'ConfigMapVolumeSource',
  'The keys of a ConfigMap as files.',
  {
    name: optional(str, 'Name of the ConfigMap.'),
    items: optional(listOf(KeyToPath), 'Only these keys, at these paths; all keys otherwise.'),
    defaultMode: optional(int32, 'Mode bits of the files; 0644 by default.'),
    optional: optional(bool, 'Tolerate a missing ConfigMap or key.'),
  },
);

export const PersistentVolumeClaimVolumeSource = core.struct(
  'PersistentVolumeClaimVolumeSource',
  'Storage claimed by a PersistentVolumeClaim in the same namespace.',
  {
    claimName: required(str, 'Name of the claim.'),
    readOnly: optional(bool, 'Mount read-only.'),
  },
);

export const DownwardAPIVolumeFile = core.struct('DownwardAPIVolumeFile', 'One file of pod information.', {
  path: required(str, 'Relative file path.'),
  fieldRef: optional(ObjectFieldSelector, 'Pod field to write: metadata.name, metadata.labels, ...'),
  resourceFieldRef: optional(ResourceFieldSelector, 'Container resource request or limit to write.'),
  mode: optional(int32, 'File mode bits; the volume default otherwise.'),
});
export type DownwardAPIVolumeFile = z.infer<typeof DownwardAPIVolumeFile>;

export const DownwardAPIVolumeSource = core.struct(
  'DownwardAPIVolumeSource',
  'Information about the pod itself, as files.',
  {
    items: optional(listOf(DownwardAPIVolumeFile), 'The files to write.'),
    defaultMode: optional(int32, 'Mode bits of the files; 0644 by default.'),
  },
);

export const SecretProjection = core.struct('SecretProjection', 'Secret keys inside a projected volume.', {
  name: optional(str, 'Name of the Secret.'),
  items: optional(listOf(KeyToPath), 'Only these keys, at these paths.'),
  optional: optional(bool, 'Tolerate a missing Secret or key.'),
});

export const ConfigMapProjection = core.struct(
  'ConfigMapProjection',
  'ConfigMap keys inside a projected volume.',
  {
    name: optional(str, 'Name of the ConfigMap.'),
    items: optional(listOf(KeyToPath), 'Only these keys, at these paths.'),
    optional: optional(bool, 'Tolerate a missing ConfigMap or key.'),
  },
);

export const DownwardAPIProjection = core.struct(
  'DownwardAPIProjection',
  'Pod information inside a projected volume.',
  {
    items: optional(listOf(DownwardAPIVolumeFile), 'The files to write.'),
  },
);

export const ServiceAccountTokenProjection = core.struct(
  'ServiceAccountTokenProjection',
  "A short-lived token for the pod's service account, refreshed by the kubelet.",
  {
    audience: optional(str, 'Intended audience of the token; the API server by default.'),
    expirationSeconds: optional(int64, 'Requested lifetime; 3600 by default, at least 600.'),
    path: required(str, 'Relative file path for the token.'),
  },
);

export const ClusterTrustBundleProjection = core.struct(
  'ClusterTrustBundleProjection',
  'Certificates from ClusterTrustBundle objects, written as one PEM file.',
  {
    name: optional(str, 'A single bundle by name.'),
    signerName: optional(str, 'All bundles of this signer.'),
    labelSelector: optional(LabelSelector, 'Only bundles of the signer with these labels.'),
    optional: optional(bool, 'Tolerate no matching bundle.'),
    path: required(str, 'Relative file path.'),
  },
);

export const VolumeProjection = core.struct('VolumeProjection', 'One source of a projected volume.', {
  secret: optional(SecretProjection, 'Keys of a Secret.'),
  downwardAPI: optional(DownwardAPIProjection, 'Pod information.'),
  configMap: optional(ConfigMapProjection, 'Keys of a ConfigMap.'),
  serviceAccountToken: optional(ServiceAccountTokenProjection, 'A service account token.'),
  clusterTrustBundle: optional(ClusterTrustBundleProjection, 'Trusted certificates.'),
});

export const ProjectedVolumeSource = core.struct(
  'ProjectedVolumeSource',
  'Several sources merged into one directory.',
  {
    sources: optional(listOf(VolumeProjection), 'The sources, in order.'),
    defaultMode: optional(int32, 'Mode bits of the files; 0644 by default.'),
  },
);

export const NFSVolumeSource = core.struct('NFSVolumeSource', 'An NFS export.', {
  server: required(str, 'NFS server host name or IP.'),
  path: required(str, 'Exported path.'),
  readOnly: optional(bool, 'Mount read-only.'),
});

export const CSIVolumeSource = core.struct('CSIVolumeSource', 'An inline volume from a CSI driver.', {
  driver: required(str, 'Name of the CSI driver.'),
  readOnly: optional(bool, 'Mount read-only.'),
  fsType: optional(str, 'Filesystem type, e.g. ext4.'),
  volumeAttributes: optional(stringMap, 'Driver-specific properties.'),
  nodePublishSecretRef: optional(LocalObjectReference, 'Secret the driver needs to mount.'),
});

export const ImageVolumeSource = core.struct(
  'ImageVolumeSource',
  'The filesystem of an OCI image or artifact.',
  {
    reference: optional(str, 'Image reference, as for a container image.'),
    pullPolicy: optional(str, 'Always, Never or IfNotPresent.'),
  },
);

/** An opaque volume source: stored as given; the lab's nodes cannot provide it. */
function storedOnly(what: string) {
  return optional(opaque, `${what} (accepted and stored; not provided by lab nodes).`);
}

export const Volume = core.struct(
  'Volume',
  'A named directory the containers of a pod can mount; exactly one source.',
  {
    name: required(str, 'Volume name, a DNS label unique within the pod.'),
    hostPath: optional(HostPathVolumeSource, "A path on the node's filesystem."),
    emptyDir: optional(EmptyDirVolumeSource, 'Scratch space that is created and deleted with the pod.'),
    gcePersistentDisk: storedOnly('A GCE persistent disk'),
    awsElasticBlockStore: storedOnly('An AWS EBS volume'),
    gitRepo: storedOnly('Deprecated: a git repository checkout'),
    secret: optional(SecretVolumeSource, 'Keys of a Secret as files.'),
    nfs: optional(NFSVolumeSource, 'A directory exported by an NFS server.'),
    iscsi: storedOnly('An iSCSI disk'),
    glusterfs: storedOnly('A GlusterFS volume'),
    persistentVolumeClaim: optional(PersistentVolumeClaimVolumeSource, 'Storage claimed by a PVC.'),
    rbd: storedOnly('A Ceph RBD image'),
    flexVolume: storedOnly('A FlexVolume driver volume'),
    cinder: storedOnly('An OpenStack Cinder volume'),
    cephfs: storedOnly('A CephFS mount'),
    flocker: storedOnly('A Flocker dataset'),
    downwardAPI: optional(DownwardAPIVolumeSource, 'Information about the pod as files.'),
    fc: storedOnly('A Fibre Channel disk'),
    azureFile: storedOnly('An Azure File share'),
    configMap: optional(ConfigMapVolumeSource, 'Keys of a ConfigMap as files.'),
    vsphereVolume: storedOnly('A vSphere volume'),
    quobyte: storedOnly('A Quobyte volume'),
    azureDisk: storedOnly('An Azure data disk'),
    photonPersistentDisk: storedOnly('A Photon Controller disk'),
    projected: optional(
      ProjectedVolumeSource,
      'Secrets, ConfigMaps, pod information and tokens in one directory.',
    ),
    portworxVolume: storedOnly('A Portworx volume'),
    scaleIO: storedOnly('A ScaleIO volume'),
    storageos: storedOnly('A StorageOS volume'),
    csi: optional(CSIVolumeSource, 'An inline CSI volume.'),
    ephemeral: storedOnly('A volume from a per-pod PersistentVolumeClaim template'),
    image: optional(ImageVolumeSource, 'The contents of an OCI image.'),
  },
);
export type Volume = z.infer<typeof Volume>;

/** The names of every volume source field, for "exactly one source" validation. */
export const volumeSourceNames = Object.keys(Volume.shape).filter((k) => k !== 'name');
