/** Validation of services (ValidateService, ValidateServiceUpdate), with Kubernetes' paths and messages. */

import type { FieldError } from '../field-error.ts';
import * as field from '../field-error.ts';
import { ipError, isValidIP, isValidPortNum, nameIsDNS1035Label } from '../names.ts';
import {
  validateDNS1123Label,
  validateDNS1123Subdomain,
  validateLabels,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validateQualifiedName,
} from '../validation.ts';
import { supportedPortProtocols, validatePortNumOrName } from './container-validation.ts';
import type { Service, ServicePort } from './service.ts';

const serviceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const sessionAffinities = ['ClientIP', 'None'];
const trafficPolicies = ['Cluster', 'Local'];
const ipFamilyPolicies = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const ipFamilies = ['IPv4', 'IPv6'];
/** The kubelet's port, which a load balancer may not expose. */
const kubeletPort = 10250;
/** Longest ClientIP session affinity: one day. */
const maxClientIPAffinitySeconds = 86400;

/** clusterIPsOf reads clusterIPs, falling back to clusterIP (the API server keeps the two in step). */
function clusterIPsOf(service: Service): string[] {
  return service.spec.clusterIPs?.length
    ? service.spec.clusterIPs
    : service.spec.clusterIP
      ? [service.spec.clusterIP]
      : [];
}

function isHeadless(service: Service): boolean {
  return clusterIPsOf(service)[0] === 'None';
}

/** goServicePort prints a (protocol, port) key as Go's %#v prints core.ServicePort. */
function goServicePortKey(port: ServicePort): field.GoValue {
  return new field.GoValue(
    { protocol: port.protocol, port: port.port },
    `core.ServicePort{Name:"", Protocol:${field.goQuote(port.protocol ?? '')}, AppProtocol:(*string)(nil), Port:${port.port}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`,
  );
}

function validateServicePort(
  port: ServicePort,
  requireName: boolean,
  names: Set<string>,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const namePath = field.child(path, 'name');
  if (requireName && !port.name) errs.push(field.required(namePath));
  else if (port.name) {
    errs.push(...validateDNS1123Label(port.name, namePath));
    if (names.has(port.name)) errs.push(field.duplicate(namePath, port.name));
    else names.add(port.name);
  }
  errs.push(...isValidPortNum(port.port).map((m) => field.invalid(field.child(path, 'port'), port.port, m)));
  if (!port.protocol) errs.push(field.required(field.child(path, 'protocol')));
  else if (!supportedPortProtocols.includes(port.protocol)) {
    errs.push(field.notSupported(field.child(path, 'protocol'), port.protocol, supportedPortProtocols));
  }
  errs.push(...validatePortNumOrName(port.targetPort ?? 0, field.child(path, 'targetPort')));
  if (port.appProtocol !== undefined)
    errs.push(...validateQualifiedName(port.appProtocol, field.child(path, 'appProtocol')));
  return errs;
}

function externallyAccessible(service: Service): boolean {
  const { type, externalIPs } = service.spec;
  return (
    type === 'LoadBalancer' || type === 'NodePort' || (type === 'ClusterIP' && (externalIPs?.length ?? 0) > 0)
  );
}

function validateClusterIPFields(service: Service): FieldError[] {
  const errs: FieldError[] = [];
  const spec = service.spec;
  if (spec.ipFamilyPolicy !== undefined && !ipFamilyPolicies.includes(spec.ipFamilyPolicy)) {
    errs.push(field.notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, ipFamilyPolicies));
  }
  (spec.ipFamilies ?? []).forEach((family, i) => {
    if (!ipFamilies.includes(family))
      errs.push(field.notSupported(field.index('spec.ipFamilies', i), family, ipFamilies));
  });
  clusterIPsOf(service).forEach((ip, i) => {
    const p = field.index('spec.clusterIPs', i);
    if (ip === 'None') {
      if (i > 0) errs.push(field.invalid(p, ip, "'None' must be the first and only value"));
    } else if (!isValidIP(ip)) {
      errs.push(field.invalid(p, ip, ipError()));
    }
  });
  return errs;
}

export function validateService(service: Service): FieldError[] {
  const errs = validateObjectMeta(service.metadata, { namespaced: true, name: nameIsDNS1035Label });
  const spec = service.spec;
  const ports = spec.ports ?? [];
  if (ports.length === 0 && !isHeadless(service) && spec.type !== 'ExternalName')
    errs.push(field.required('spec.ports'));
  switch (spec.type) {
    case 'LoadBalancer':
      ports.forEach((port, i) => {
        if (port.port === kubeletPort) {
          errs.push(
            field.invalid(
              field.index('spec.ports', i),
              port.port,
              `may not expose port ${kubeletPort} externally since it is used by kubelet`,
            ),
          );
        }
      });
      if (isHeadless(service))
        errs.push(
          field.invalid('spec.clusterIPs[0]', 'None', "may not be set to 'None' for LoadBalancer services"),
        );
      break;
    case 'NodePort':
      if (isHeadless(service))
        errs.push(
          field.invalid('spec.clusterIPs[0]', 'None', "may not be set to 'None' for NodePort services"),
        );
      break;
    case 'ExternalName': {
      if (clusterIPsOf(service).length)
        errs.push(field.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
      if (spec.ipFamilies?.length)
        errs.push(field.forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
      if (spec.ipFamilyPolicy !== undefined)
        errs.push(field.forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
      // A trailing dot marks the name as fully qualified.
      const cname = (spec.externalName ?? '').replace(/\.$/, '');
      if (cname) errs.push(...validateDNS1123Subdomain(cname, 'spec.externalName'));
      else errs.push(field.required('spec.externalName'));
      break;
    }
  }
  const names = new Set<string>();
  ports.forEach((port, i) => {
    errs.push(...validateServicePort(port, ports.length > 1, names, field.index('spec.ports', i)));
  });
  errs.push(...validateLabels(spec.selector, 'spec.selector'));
  const affinity = spec.sessionAffinity ?? '';
  if (!affinity) errs.push(field.required('spec.sessionAffinity'));
  else if (!sessionAffinities.includes(affinity))
    errs.push(field.notSupported('spec.sessionAffinity', affinity, sessionAffinities));
  if (affinity === 'ClientIP') {
    const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
    if (timeout === undefined) {
      errs.push(field.required('spec.sessionAffinityConfig.clientIP.timeoutSeconds'));
    } else if (timeout <= 0 || timeout > maxClientIPAffinitySeconds) {
      errs.push(
        field.invalid(
          'spec.sessionAffinityConfig.clientIP.timeoutSeconds',
          timeout,
          `must be greater than 0 and less than ${maxClientIPAffinitySeconds}`,
        ),
      );
    }
  } else if (affinity === 'None' && spec.sessionAffinityConfig) {
    errs.push(field.forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }
  errs.push(...validateClusterIPFields(service));
  (spec.externalIPs ?? []).forEach((ip, i) => {
    if (!isValidIP(ip)) errs.push(field.invalid(field.index('spec.externalIPs', i), ip, ipError()));
  });
  const type = spec.type ?? '';
  if (!type) errs.push(field.required('spec.type'));
  else if (!serviceTypes.includes(type)) errs.push(field.notSupported('spec.type', type, serviceTypes));
  if (type === 'ClusterIP') {
    ports.forEach((port, i) => {
      if (port.nodePort)
        errs.push(
          field.forbidden(
            field.child(field.index('spec.ports', i), 'nodePort'),
            "may not be used when `type` is 'ClusterIP'",
          ),
        );
    });
  }
  const nodePorts = new Set<string>();
  const portKeys = new Set<string>();
  ports.forEach((port, i) => {
    const p = field.index('spec.ports', i);
    if (port.nodePort) {
      const key = `${port.protocol}/${port.nodePort}`;
      if (nodePorts.has(key)) errs.push(field.duplicate(field.child(p, 'nodePort'), port.nodePort));
      nodePorts.add(key);
    }
    const key = `${port.protocol}/${port.port}`;
    if (portKeys.has(key)) errs.push(field.duplicate(p, goServicePortKey(port)));
    portKeys.add(key);
  });
  if (!externallyAccessible(service)) {
    if (spec.externalTrafficPolicy) {
      errs.push(
        field.invalid(
          'spec.externalTrafficPolicy',
          spec.externalTrafficPolicy,
          'may only be set for externally-accessible services',
        ),
      );
    }
  } else if (!spec.externalTrafficPolicy) {
    errs.push(field.required('spec.externalTrafficPolicy'));
  } else if (!trafficPolicies.includes(spec.externalTrafficPolicy)) {
    errs.push(field.notSupported('spec.externalTrafficPolicy', spec.externalTrafficPolicy, trafficPolicies));
  }
  const needsHealthCheck = type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
  if (!needsHealthCheck && spec.healthCheckNodePort) {
    errs.push(
      field.invalid(
        'spec.healthCheckNodePort',
        spec.healthCheckNodePort,
        "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
      ),
    );
  }
  if (spec.internalTrafficPolicy === undefined) {
    if (type === 'NodePort' || type === 'LoadBalancer' || type === 'ClusterIP')
      errs.push(field.required('spec.internalTrafficPolicy', 'must be specified'));
  } else if (!trafficPolicies.includes(spec.internalTrafficPolicy)) {
    errs.push(field.notSupported('spec.internalTrafficPolicy', spec.internalTrafficPolicy, trafficPolicies));
  }
  if (spec.trafficDistribution !== undefined && spec.trafficDistribution !== 'PreferClose') {
    errs.push(field.notSupported('spec.trafficDistribution', spec.trafficDistribution, ['PreferClose']));
  }
  return errs;
}

/**
 * validateServiceUpdate: a cluster IP, once set, stays; only a change to or from ExternalName may
 * drop it. Everything else is validated as on create.
 */
export function validateServiceUpdate(service: Service, old: Service): FieldError[] {
  const errs = validateObjectMetaUpdate(service.metadata, old.metadata);
  const next = clusterIPsOf(service);
  const prev = clusterIPsOf(old);
  const involvesExternalName = service.spec.type === 'ExternalName' || old.spec.type === 'ExternalName';
  if (!involvesExternalName && !(isHeadless(service) && isHeadless(old))) {
    if (prev.length === next.length) {
      prev.forEach((ip, i) => {
        if (ip !== next[i])
          errs.push(field.invalid(field.index('spec.clusterIPs', i), next, 'may not change once set'));
      });
    } else if (prev.length > next.length) {
      if (next.length === 0)
        errs.push(field.invalid('spec.clusterIPs[0]', next, 'primary clusterIP can not be unset'));
      else if (next[0] !== prev[0])
        errs.push(field.invalid('spec.clusterIPs[0]', next, 'may not change once set'));
    } else if (prev.length > 0 && next[0] !== prev[0]) {
      errs.push(field.invalid('spec.clusterIPs[0]', next, 'may not change once set'));
    }
  }
  return [...errs, ...validateService(service)];
}
