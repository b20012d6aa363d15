/** Validation of discovery.k8s.io/v1 EndpointSlice. */

import { supportedPortProtocols } from '../core/container-validation.ts';
import type { FieldError } from '../field-error.ts';
import * as field from '../field-error.ts';
import { isDNS1123Subdomain, isValidIPv4, isValidIPv6, nameIsDNSSubdomain } from '../names.ts';
import {
  validateDNS1123Label,
  validateImmutable,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validateQualifiedName,
} from '../validation.ts';
import type { EndpointSlice } from './endpoint-slice.ts';

const addressTypes = ['FQDN', 'IPv4', 'IPv6'];
const maxEndpoints = 1000;
const maxAddresses = 100;
const maxPorts = 20000;

function validateAddress(addressType: string, address: string, path: string): FieldError[] {
  switch (addressType) {
    case 'IPv4':
      return isValidIPv4(address) ? [] : [field.invalid(path, address, 'must be a valid IPv4 address')];
    case 'IPv6':
      return isValidIPv6(address) ? [] : [field.invalid(path, address, 'must be a valid IPv6 address')];
    case 'FQDN':
      return isDNS1123Subdomain(address).map((m) => field.invalid(path, address, m));
    default:
      return [];
  }
}

export function validateEndpointSlice(slice: EndpointSlice): FieldError[] {
  const errs = validateObjectMeta(slice.metadata, { namespaced: true, name: nameIsDNSSubdomain });
  if (!slice.addressType) errs.push(field.required('addressType'));
  else if (!addressTypes.includes(slice.addressType))
    errs.push(field.notSupported('addressType', slice.addressType, addressTypes));
  if (slice.endpoints.length > maxEndpoints) {
    errs.push(field.tooMany('endpoints', slice.endpoints.length, maxEndpoints));
  } else {
    slice.endpoints.forEach((ep, i) => {
      const p = field.index('endpoints', i);
      const addressPath = field.child(p, 'addresses');
      if (ep.addresses.length === 0)
        errs.push(field.required(addressPath, 'must contain at least 1 address'));
      else if (ep.addresses.length > maxAddresses)
        errs.push(field.tooMany(addressPath, ep.addresses.length, maxAddresses));
      ep.addresses.forEach((a, j) => {
        errs.push(...validateAddress(slice.addressType, a, field.index(addressPath, j)));
      });
      if (ep.nodeName) {
        errs.push(
          ...nameIsDNSSubdomain(ep.nodeName, false).map((m) =>
            field.invalid(field.child(p, 'nodeName'), ep.nodeName, m),
          ),
        );
      }
      if (ep.hostname !== undefined)
        errs.push(...validateDNS1123Label(ep.hostname, field.child(p, 'hostname')));
    });
  }
  const ports = slice.ports ?? [];
  if (ports.length > maxPorts) return [...errs, field.tooMany('ports', ports.length, maxPorts)];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = field.index('ports', i);
    const name = port.name ?? '';
    if (name) errs.push(...validateDNS1123Label(name, field.child(p, 'name')));
    if (names.has(name)) errs.push(field.duplicate(field.child(p, 'name'), name));
    names.add(name);
    if (port.protocol === undefined) errs.push(field.required(field.child(p, 'protocol')));
    else if (!supportedPortProtocols.includes(port.protocol)) {
      errs.push(field.notSupported(field.child(p, 'protocol'), port.protocol, supportedPortProtocols));
    }
    if (port.appProtocol !== undefined)
      errs.push(...validateQualifiedName(port.appProtocol, field.child(p, 'appProtocol')));
  });
  return errs;
}

export function validateEndpointSliceUpdate(slice: EndpointSlice, old: EndpointSlice): FieldError[] {
  return [
    ...validateObjectMetaUpdate(slice.metadata, old.metadata),
    ...validateEndpointSlice(slice),
    ...validateImmutable(slice.addressType, old.addressType, 'addressType'),
  ];
}
