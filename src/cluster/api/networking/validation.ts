/** Validation of networking.k8s.io/v1 Ingress and IngressClass. */

import type { FieldError } from '../field-error.ts';
import * as field from '../field-error.ts';
import {
  isDNS1123Subdomain,
  isValidIP,
  isValidPathSegmentName,
  isValidPortName,
  isValidPortNum,
  isWildcardDNS1123Subdomain,
  nameIsDNS1035Label,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
} from '../names.ts';
import { validateImmutable, validateObjectMeta, validateObjectMetaUpdate } from '../validation.ts';
import type { Ingress, IngressClass } from './ingress.ts';

type Backend = NonNullable<Ingress['spec']['defaultBackend']>;
type Rule = NonNullable<Ingress['spec']['rules']>[number];
type HTTPPath = NonNullable<Rule['http']>['paths'][number];

const pathTypes = ['Exact', 'ImplementationSpecific', 'Prefix'];
const invalidPathSequences = ['//', '/./', '/../', '%2f', '%2F'];
const invalidPathSuffixes = ['/..', '/.'];

/** validateTypedReference checks an object reference by kind and name (a resource backend or class parameters). */
function validateTypedReference(
  ref: { apiGroup?: string | undefined; kind: string; name: string },
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  if (ref.apiGroup !== undefined) {
    errs.push(
      ...isDNS1123Subdomain(ref.apiGroup).map((m) =>
        field.invalid(field.child(path, 'apiGroup'), ref.apiGroup, m),
      ),
    );
  }
  for (const name of ['kind', 'name'] as const) {
    if (!ref[name]) errs.push(field.required(field.child(path, name), `${name} is required`));
    else
      errs.push(
        ...isValidPathSegmentName(ref[name]).map((m) => field.invalid(field.child(path, name), ref[name], m)),
      );
  }
  return errs;
}

function validateBackend(backend: Backend, path: string): FieldError[] {
  if (backend.resource && backend.service)
    return [field.invalid(path, '', 'cannot set both resource and service backends')];
  if (backend.resource) return validateTypedReference(backend.resource, field.child(path, 'resource'));
  const service = backend.service;
  if (!service) return [field.invalid(path, '', 'resource or service backend is required')];
  const errs: FieldError[] = [];
  const namePath = field.child(path, 'service', 'name');
  if (!service.name) errs.push(field.required(namePath));
  else
    errs.push(
      ...nameIsDNS1035Label(service.name, false).map((m) => field.invalid(namePath, service.name, m)),
    );
  const portName = service.port?.name ?? '';
  const portNumber = service.port?.number ?? 0;
  if (portName && portNumber) errs.push(field.invalid(path, '', 'cannot set both port name & port number'));
  else if (portName)
    errs.push(
      ...isValidPortName(portName).map((m) =>
        field.invalid(field.child(path, 'service', 'port', 'name'), portName, m),
      ),
    );
  else if (portNumber)
    errs.push(
      ...isValidPortNum(portNumber).map((m) =>
        field.invalid(field.child(path, 'service', 'port', 'number'), portNumber, m),
      ),
    );
  else errs.push(field.required(path, 'port name or number is required'));
  return errs;
}

function validateHTTPPath(p: HTTPPath, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const pathPath = field.child(path, 'path');
  const value = p.path ?? '';
  switch (p.pathType) {
    case 'Exact':
    case 'Prefix':
      if (!value.startsWith('/')) errs.push(field.invalid(pathPath, value, 'must be an absolute path'));
      for (const seq of invalidPathSequences)
        if (value.includes(seq)) errs.push(field.invalid(pathPath, value, `must not contain '${seq}'`));
      for (const suffix of invalidPathSuffixes)
        if (value.endsWith(suffix)) errs.push(field.invalid(pathPath, value, `cannot end with '${suffix}'`));
      break;
    case 'ImplementationSpecific':
      if (value && !value.startsWith('/'))
        errs.push(field.invalid(pathPath, value, 'must be an absolute path'));
      break;
    default:
      errs.push(field.notSupported(field.child(path, 'pathType'), p.pathType, pathTypes));
  }
  return [...errs, ...validateBackend(p.backend, field.child(path, 'backend'))];
}

function validateHost(host: string, path: string): FieldError[] {
  const errs = isValidIP(host) ? [field.invalid(path, host, 'must be a DNS name, not an IP address')] : [];
  const msgs = host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
  return [...errs, ...msgs.map((m) => field.invalid(path, host, m))];
}

export function validateIngress(ingress: Ingress): FieldError[] {
  const errs = validateObjectMeta(ingress.metadata, { namespaced: true, name: nameIsDNSSubdomain });
  const spec = ingress.spec;
  const rules = spec.rules ?? [];
  if (rules.length === 0 && !spec.defaultBackend) {
    errs.push(
      field.invalid(
        'spec',
        new field.GoValue(spec.rules, '[]networking.IngressRule(nil)'),
        'either `defaultBackend` or `rules` must be specified',
      ),
    );
  }
  if (spec.defaultBackend) errs.push(...validateBackend(spec.defaultBackend, 'spec.defaultBackend'));
  rules.forEach((rule, i) => {
    const p = field.index('spec.rules', i);
    if (rule.host) errs.push(...validateHost(rule.host, field.child(p, 'host')));
    if (rule.http) {
      if (rule.http.paths.length === 0) errs.push(field.required(field.child(p, 'http', 'paths')));
      rule.http.paths.forEach((hp, j) => {
        errs.push(...validateHTTPPath(hp, field.index(field.child(p, 'http', 'paths'), j)));
      });
    }
  });
  (spec.tls ?? []).forEach((tls, i) => {
    const p = field.index('spec.tls', i);
    (tls.hosts ?? []).forEach((host, j) => {
      const msgs = host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
      errs.push(...msgs.map((m) => field.invalid(field.index(field.child(p, 'hosts'), j), host, m)));
    });
    if (tls.secretName) {
      errs.push(
        ...nameIsDNSSubdomain(tls.secretName, false).map((m) =>
          field.invalid(field.child(p, 'secretName'), tls.secretName, m),
        ),
      );
    }
  });
  if (spec.ingressClassName !== undefined) {
    errs.push(
      ...nameIsDNSSubdomain(spec.ingressClassName, false).map((m) =>
        field.invalid('spec.ingressClassName', spec.ingressClassName, m),
      ),
    );
  }
  return errs;
}

export function validateIngressUpdate(ingress: Ingress, old: Ingress): FieldError[] {
  return [...validateObjectMetaUpdate(ingress.metadata, old.metadata), ...validateIngress(ingress)];
}

const maxControllerLength = 250;
const httpPathFmt = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";

/** validateDomainPrefixedPath: controller names look like example.com/ingress-controller. */
function validateDomainPrefixedPath(value: string, path: string): FieldError[] {
  if (!value) return [field.required(path)];
  const slash = value.indexOf('/');
  const host = value.slice(0, slash);
  const rest = value.slice(slash + 1);
  if (slash <= 0 || !rest)
    return [field.invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const errs = isDNS1123Subdomain(host).map((m) => field.invalid(path, host, m));
  if (!new RegExp(`^${httpPathFmt}$`).test(rest)) {
    errs.push(field.invalid(path, rest, `Invalid path (regex used for validation is '${httpPathFmt}')`));
  }
  return errs;
}

const parameterScopes = ['Cluster', 'Namespace'];

export function validateIngressClass(ic: IngressClass): FieldError[] {
  const errs = validateObjectMeta(ic.metadata, { namespaced: false, name: nameIsDNSSubdomain });
  const controller = ic.spec.controller ?? '';
  if (controller.length > maxControllerLength)
    errs.push(field.tooLong('spec.controller', maxControllerLength));
  errs.push(...validateDomainPrefixedPath(controller, 'spec.controller'));
  const params = ic.spec.parameters;
  if (params) {
    const p = 'spec.parameters';
    errs.push(...validateTypedReference(params, p));
    if (params.scope === undefined) errs.push(field.required(`${p}.scope`));
    else if (!parameterScopes.includes(params.scope))
      errs.push(field.notSupported(`${p}.scope`, params.scope, parameterScopes));
    else if (params.scope === 'Namespace') {
      if (params.namespace === undefined)
        errs.push(field.required(`${p}.namespace`, "`parameters.scope` is set to 'Namespace'"));
      else
        errs.push(
          ...nameIsDNSLabel(params.namespace, false).map((m) =>
            field.invalid(`${p}.namespace`, params.namespace, m),
          ),
        );
    } else if (params.namespace !== undefined) {
      errs.push(field.forbidden(`${p}.namespace`, "`parameters.scope` is set to 'Cluster'"));
    }
  }
  return errs;
}

export function validateIngressClassUpdate(ic: IngressClass, old: IngressClass): FieldError[] {
  return [
    ...validateObjectMetaUpdate(ic.metadata, old.metadata),
    ...validateIngressClass(ic),
    ...validateImmutable(ic.spec.controller ?? '', old.spec.controller ?? '', 'spec.controller'),
  ];
}
