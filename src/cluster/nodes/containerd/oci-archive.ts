import { createHash } from 'node:crypto';
import { type TarEntry, tarArchive } from '../docker/tar.ts';

/** What an image runs, as an image config's "config" says it (OCI image-spec config.md). */
export interface ImageRunConfig {
  readonly Entrypoint?: readonly string[];
  readonly Cmd?: readonly string[];
  readonly Env?: readonly string[];
  readonly WorkingDir?: string;
}

export interface OciImage {
  /** Full references, e.g. docker.io/library/busybox:1.35, as containerd names images. */
  readonly names: readonly string[];
  /** The root filesystem, one layer. */
  readonly files: readonly TarEntry[];
  readonly config: ImageRunConfig;
}

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

/**
 * ociArchive writes an image as an OCI image layout in a tar (image-spec image-layout.md): the
 * layer, the config naming it by its digest, the manifest naming both, and index.json naming the
 * manifest once per reference, in the annotation `ctr images import` takes the image's name from.
 * An uncompressed layer keeps it simple; its digest and diff ID are then the same. Timestamps are
 * fixed, so the same files always make the same image ID.
 */
export function ociArchive(image: OciImage): Buffer {
  const layer = tarArchive(image.files, 0);
  const config = json({
    architecture: 'amd64',
    os: 'linux',
    config: image.config,
    rootfs: { type: 'layers', diff_ids: [sha256(layer)] },
  });
  const manifest = json({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: sha256(config),
      size: config.length,
    },
    layers: [
      { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer), size: layer.length },
    ],
  });
  const index = json({
    schemaVersion: 2,
    manifests: image.names.map((name) => ({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: sha256(manifest),
      size: manifest.length,
      annotations: {
        'io.containerd.image.name': name,
        'org.opencontainers.image.ref.name': name.slice(name.lastIndexOf(':') + 1),
      },
    })),
  });
  const blob = (data: Buffer): TarEntry => ({
    path: `blobs/sha256/${sha256(data).slice('sha256:'.length)}`,
    content: data,
    mode: 0o644,
  });
  return tarArchive(
    [
      { path: 'oci-layout', content: json({ imageLayoutVersion: '1.0.0' }), mode: 0o644 },
      { path: 'index.json', content: index, mode: 0o644 },
      { path: 'blobs/', mode: 0o755 },
      { path: 'blobs/sha256/', mode: 0o755 },
      blob(layer),
      blob(config),
      blob(manifest),
    ],
    0,
  );
}
