/** ingressclasses: which controller implements an ingress; spec changes move the generation. */
import type { IngressClass } from '../../../api/networking/ingress.ts';
import { ingressClasses as resource } from '../../../api/networking/register.ts';
import { ageCell, ageColumn, column, nameCell, nameColumn } from '../../tables/columns.ts';
import type { TableConvertor } from '../../tables/types.ts';
import type { ResourceRegistration } from '../registration.ts';
import { specChanged, withGeneration } from '../strategy.ts';

/** PARAMETERS of an ingress class: "Kind.group/name", "Kind/name" for the core group, or "<none>". */
function ingressClassParameters(ingressClass: IngressClass): string {
  const parameters = ingressClass.spec.parameters;
  if (!parameters) return '<none>';
  const kind =
    parameters.apiGroup !== undefined ? `${parameters.kind ?? ''}.${parameters.apiGroup}` : parameters.kind;
  return `${kind ?? ''}/${parameters.name ?? ''}`;
}

/** The ingress class printer: `kubectl get ingressclasses`. */
export const ingressClassConvertor: TableConvertor<IngressClass> = {
  columns: [
    nameColumn,
    column('Controller', 'string', 'The controller that implements the class.'),
    column('Parameters', 'string', 'The resource holding settings for the controller.'),
    ageColumn,
  ],
  cells(ingressClass, now) {
    return [
      nameCell(ingressClass),
      ingressClass.spec?.controller ?? '',
      ingressClassParameters(ingressClass),
      ageCell(ingressClass, now),
    ];
  },
};

export const ingressClasses: ResourceRegistration<IngressClass> = {
  resource,
  strategy: withGeneration<IngressClass>(specChanged),
  printer: ingressClassConvertor,
};
