import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { z } from 'zod';
import { type Image, ImageNotFoundError, type ImageService, type ImageSpec } from './cri.ts';
import {
  availableImages,
  type ImageConfig,
  type ImageDefinition,
  imageCommands,
  resolveImage,
} from './images/catalog.ts';

const imagesDir = join(dirname(fileURLToPath(import.meta.url)), 'images');

/** An image present on a node, with what the runtime needs to run it. */
export interface LocalImage extends Image {
  readonly config: ImageConfig;
  /** The bundled program: node runs it with the container's argv. */
  readonly program: string;
  /** The image's root filesystem, copied for each container. */
  readonly rootfs: string;
  readonly commands: ReadonlySet<string>;
}

const stateSchema = z.object({
  images: z.array(z.object({ id: z.string(), repoTags: z.array(z.string()), size: z.number() })),
});

export interface LabImageServiceOptions {
  /** The image cache shared by the nodes, e.g. $ORCH_LAB_HOME/images: one directory per image ID. */
  readonly cacheDir: string;
  /** Where this node records the images it has pulled, e.g. <nodeDir>/images.json. */
  readonly stateFile: string;
}

/**
 * LabImageService is the node's image store. Pulling an image is the lab's local image build: its
 * program is bundled with esbuild into the shared cache next to its root filesystem, and the image
 * ID is the sha256 of the bundle, the config and the files. The first pull of an image in a process
 * bundles it; the cache directory is written once per ID and shared by every node.
 */
export class LabImageService implements ImageService {
  private readonly builds = new Map<string, Promise<{ id: string; size: number }>>();
  private state: Promise<z.infer<typeof stateSchema>> | undefined;

  constructor(private readonly options: LabImageServiceOptions) {}

  async listImages(): Promise<Image[]> {
    return (await this.load()).images.map((i) => ({ ...i }));
  }

  async imageStatus(spec: ImageSpec): Promise<Image | undefined> {
    const state = await this.load();
    const resolved = resolveImage(spec.image);
    return state.images.find(
      (i) => i.id === spec.image || (resolved && i.repoTags.includes(resolved.repoTag)),
    );
  }

  async pullImage(spec: ImageSpec): Promise<string> {
    const resolved = resolveImage(spec.image);
    if (!resolved) throw new ImageNotFoundError(spec.image, availableImages);
    const { id, size } = await this.build(resolved.definition, resolved.tag);
    await this.update((images) => {
      // A tag moves to the image just pulled, as `docker pull` retags.
      for (const image of images) image.repoTags = image.repoTags.filter((t) => t !== resolved.repoTag);
      const existing = images.find((i) => i.id === id);
      if (existing) existing.repoTags.push(resolved.repoTag);
      else images.push({ id, repoTags: [resolved.repoTag], size });
      return images.filter((i) => i.repoTags.length > 0);
    });
    return id;
  }

  async removeImage(spec: ImageSpec): Promise<void> {
    const image = await this.imageStatus(spec);
    if (image) await this.update((images) => images.filter((i) => i.id !== image.id));
  }

  /** The image as the runtime runs it; undefined when the node has not pulled it. */
  async localImage(reference: string): Promise<LocalImage | undefined> {
    const image = await this.imageStatus({ image: reference });
    // By name, or by ID (sha256:...) through the name it was pulled as.
    const resolved = image && (resolveImage(reference) ?? resolveImage(image.repoTags[0] ?? ''));
    if (!image || !resolved) return undefined;
    const dir = join(this.options.cacheDir, image.id.replace('sha256:', ''));
    return {
      ...image,
      config: resolved.definition.config(resolved.tag),
      program: join(dir, 'program.mjs'),
      rootfs: join(dir, 'rootfs'),
      commands: imageCommands(resolved.definition),
    };
  }

  private build(definition: ImageDefinition, tag: string): Promise<{ id: string; size: number }> {
    const key = `${definition.name}:${tag}`;
    let built = this.builds.get(key);
    if (!built) {
      built = this.bundle(definition, tag);
      built.catch(() => this.builds.delete(key));
      this.builds.set(key, built);
    }
    return built;
  }

  private async bundle(definition: ImageDefinition, tag: string): Promise<{ id: string; size: number }> {
    const result = await build({
      stdin: {
        contents:
          `import { runImage } from './lib/main.ts';\nimport { programs } from './${definition.module}';\n` +
          'await runImage(programs);\n',
        resolveDir: imagesDir,
        sourcefile: `${definition.name}-entry.ts`,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      // CommonJS packages in the bundle (yaml, which the API client brings) require() Node's own
      // modules, which resolve from anywhere.
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire('/');" },
      target: 'node20',
      write: false,
      logLevel: 'silent',
    });
    const program = result.outputFiles[0]!.contents;
    const config = JSON.stringify(definition.config(tag));
    const files = Object.entries(definition.files).sort(([a], [b]) => a.localeCompare(b));
    const hash = createHash('sha256').update(program).update(config);
    for (const [path, content] of files) hash.update(`\0${path}\0${content}`);
    const hex = hash.digest('hex');
    const size = program.length + files.reduce((n, [, content]) => n + content.length, 0);
    const dir = join(this.options.cacheDir, hex);
    if (!(await stat(dir).catch(() => undefined))) {
      // Written aside and renamed, so a node never sees half an image another node is writing.
      const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
      await mkdir(join(tmp, 'rootfs'), { recursive: true });
      await writeFile(join(tmp, 'program.mjs'), program);
      await writeFile(join(tmp, 'config.json'), config);
      for (const [path, content] of files) {
        const target = join(tmp, 'rootfs', path);
        if (path.endsWith('/')) await mkdir(target, { recursive: true });
        else {
          await mkdir(dirname(target), { recursive: true });
          await writeFile(target, content);
        }
      }
      await rename(tmp, dir).catch(async () => rm(tmp, { recursive: true, force: true }));
    }
    return { id: `sha256:${hex}`, size };
  }

  private load(): Promise<z.infer<typeof stateSchema>> {
    this.state ??= readFile(this.options.stateFile, 'utf8').then(
      (text) => stateSchema.parse(JSON.parse(text)),
      () => ({ images: [] }),
    );
    return this.state;
  }

  private async update(
    change: (images: z.infer<typeof stateSchema>['images']) => z.infer<typeof stateSchema>['images'],
  ) {
    const state = await this.load();
    state.images = change(state.images);
    await mkdir(dirname(this.options.stateFile), { recursive: true });
    await writeFile(this.options.stateFile, JSON.stringify(state, null, 2));
  }
}
