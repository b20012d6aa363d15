import { describe, expect, it } from 'vitest';
import { createAs } from '../../apiserver/registry/testing/create.ts';
import { fieldErrorString } from '../field-error.ts';
import { services } from '../resources.ts';
import { fixture } from '../testdata/fixtures.ts';
import type { Service } from './service.ts';
import { validateService, validateServiceUpdate } from './service-validation.ts';

function service(body: unknown = fixture('kubectl-create-service')): Service {
  const svc = createAs(services, body);
  svc.metadata.namespace = 'default';
  svc.metadata.resourceVersion = '1';
  return svc;
}

const text = (svc: Service, old?: Service) =>
  (old ? validateServiceUpdate(svc, old) : validateService(svc)).map(fieldErrorString);

describe('Service', () => {
  it('accepts real manifests', () => {
    expect(text(service())).toEqual([]);
    expect(text(service(fixture('web-service')))).toEqual([]);
  });

  it('needs a DNS-1035 name and ports', () => {
    const svc = service({ metadata: { name: '1web' }, spec: { selector: { app: 'web' } } });
    expect(text(svc)).toEqual([
      `metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
      'spec.ports: Required value',
    ]);
  });

  it('checks ports: names when several, ranges, duplicates, node ports on ClusterIP', () => {
    const svc = service({
      metadata: { name: 'web' },
      spec: {
        ports: [
          { port: 80 },
          { port: 80, name: 'b', nodePort: 30000 },
          { port: 0, name: 'c', targetPort: 'not--ok' },
        ],
      },
    });
    expect(text(svc)).toEqual([
      'spec.ports[0].name: Required value',
      'spec.ports[2].port: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.ports[2].targetPort: Invalid value: "not--ok": must not contain consecutive hyphens',
      "spec.ports[1].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
      'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
    ]);
  });

  it('knows the service types', () => {
    const svc = service();
    svc.spec.type = 'Ingress';
    expect(text(svc)).toEqual([
      'spec.type: Unsupported value: "Ingress": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    ]);
  });

  it('keeps the cluster IP once set', () => {
    const old = service();
    old.spec.clusterIP = '10.96.0.10';
    old.spec.clusterIPs = ['10.96.0.10'];
    const svc = structuredClone(old);
    svc.spec.clusterIP = '10.96.0.11';
    svc.spec.clusterIPs = ['10.96.0.11'];
    expect(text(svc, old)).toEqual([
      'spec.clusterIPs[0]: Invalid value: []string{"10.96.0.11"}: may not change once set',
    ]);
  });
});
