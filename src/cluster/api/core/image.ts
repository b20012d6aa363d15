/**
 * Image references, read just far enough to pick a default pull policy the way Kubernetes does:
 * an image with tag "latest", or with neither tag nor digest, is pulled Always; any other valid
 * reference IfNotPresent (and so is an unparsable one, whose error validation reports instead).
 */

const pathComponent = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domain = `(?:${domainComponent}(?:\\.${domainComponent})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const reference = new RegExp(
  `^(?:(${domain})/)?(${pathComponent}(?:/${pathComponent})*)(?::(${tag}))?(?:@(${digest}))?$`,
);

export interface ImageReference {
  readonly repository: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

/** parseImageReference splits `registry:5000/team/app:1.2@sha256:...`; undefined when not a valid reference. */
export function parseImageReference(image: string): ImageReference | undefined {
  const m = reference.exec(image);
  if (!m) return undefined;
  const [, host, path, tagPart, digestPart] = m;
  return { repository: host ? `${host}/${path}` : path!, tag: tagPart, digest: digestPart };
}

/** defaultPullPolicy is Always for :latest (or no tag and no digest), IfNotPresent otherwise. */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  const ref = parseImageReference(image);
  if (!ref) return 'IfNotPresent';
  const effectiveTag = ref.tag ?? (ref.digest ? undefined : 'latest');
  return effectiveTag === 'latest' ? 'Always' : 'IfNotPresent';
}
