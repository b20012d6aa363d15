import type { Container } from '../../api/core/container.ts';
import type { Pod } from '../../api/core/pod.ts';
import type { EventRecorder } from '../../client/event-recorder.ts';
import type { Clock } from '../../clock/clock.ts';
import type { CriImageService } from '../../cri/services.ts';
import type { BackOff } from '../backoff.ts';
import type { ConfigSources } from '../config-sources.ts';
import { pullCredentials } from './pull-secrets.ts';

/** Why a container has no image yet: its waiting reason and message (images/types.go). */
export class ImagePullError extends Error {
  constructor(
    readonly reason: 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull',
    message: string,
    /** When the pod should be looked at again. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/**
 * ImageManager is the kubelet's images.imageManager: EnsureImageExists applies the container's
 * imagePullPolicy, pulls when it must (with the pod's imagePullSecrets for the image's registry),
 * and tells the story in events (Pulling, Pulled, Failed,
 * BackOff). A failed pull puts the image in back-off: until it ends the container waits in
 * ImagePullBackOff without asking the runtime again.
 */
export class ImageManager {
  /** The last pull error per back-off key, repeated in the ImagePullBackOff message. */
  private readonly lastErrors = new Map<string, string>();

  constructor(
    private readonly images: CriImageService,
    private readonly backOff: BackOff,
    private readonly recorder: EventRecorder,
    private readonly clock: Clock,
    /** Where the pod's imagePullSecrets are read from. */
    private readonly sources: Pick<ConfigSources, 'secret'>,
  ) {}

  /** Resolves to the image ref (sha256:...), or throws ImagePullError. */
  async ensureImageExists(pod: Pod, container: Container, eventObject: Pod): Promise<string> {
    const image = container.image ?? '';
    const present = await this.images.imageStatus({ image });
    const policy =
      container.imagePullPolicy ??
      (image.endsWith(':latest') || !image.includes(':') ? 'Always' : 'IfNotPresent');
    if (present && policy !== 'Always') {
      await this.recorder.event(
        eventObject,
        'Normal',
        'Pulled',
        `Container image "${image}" already present on machine`,
      );
      return present.id;
    }
    if (!present && policy === 'Never') {
      const message = `Container image "${image}" is not present with pull policy of Never`;
      await this.recorder.event(eventObject, 'Warning', 'ErrImageNeverPull', message);
      throw new ImagePullError('ErrImageNeverPull', message);
    }
    const key = `${pod.metadata.uid}_${image}`;
    if (this.backOff.isInBackOffSinceUpdate(key)) {
      const message = `Back-off pulling image "${image}"`;
      await this.recorder.event(eventObject, 'Normal', 'BackOff', message);
      throw new ImagePullError(
        'ImagePullBackOff',
        `${message}: ErrImagePull: ${this.lastErrors.get(key) ?? ''}`,
      );
    }
    await this.recorder.event(eventObject, 'Normal', 'Pulling', `Pulling image "${image}"`);
    const started = this.clock.now();
    try {
      const ref = await this.images.pullImage({ image }, await pullCredentials(pod, image, this.sources));
      const took = `${this.clock.now() - started}ms`;
      const size = (await this.images.imageStatus({ image }))?.size ?? 0;
      await this.recorder.event(
        eventObject,
        'Normal',
        'Pulled',
        `Successfully pulled image "${image}" in ${took} (${took} including waiting). Image size: ${size} bytes.`,
      );
      this.lastErrors.delete(key);
      return ref;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await this.recorder.event(
        eventObject,
        'Warning',
        'Failed',
        `Failed to pull image "${image}": ${message}`,
      );
      this.backOff.next(key);
      this.lastErrors.set(key, message);
      // Looked at again halfway through the back-off: the status then shows ImagePullBackOff
      // until the back-off ends and the next pull is tried.
      throw new ImagePullError('ErrImagePull', message, this.backOff.remainingSinceUpdate(key) / 2);
    }
  }

  /** Forgets a pod's pull back-offs once it is gone. */
  forgetPod(uid: string): void {
    this.backOff.forgetPrefix(`${uid}_`);
    for (const key of this.lastErrors.keys()) if (key.startsWith(`${uid}_`)) this.lastErrors.delete(key);
  }
}
