/** authentication.k8s.io/v1 TokenRequest: asks for a token of a ServiceAccount (serviceaccounts/token). */
import type { z } from 'zod';
import { objectFields } from '../meta.ts';
import { always, apiPackage, int64, optional, str, strings } from '../schema.ts';

const authentication = apiPackage('io.k8s.api.authentication.v1');

export const BoundObjectReference = authentication.struct(
  'BoundObjectReference',
  'The object a token is bound to: deleting it invalidates the token.',
  {
    kind: optional(str, 'Pod or Secret.'),
    apiVersion: optional(str, 'API version of the object.'),
    name: optional(str, 'Name of the object.'),
    uid: optional(
      str,
      'UID of the object; the token is refused once an object of another UID holds the name.',
    ),
  },
);

export const TokenRequestSpec = authentication.struct('TokenRequestSpec', 'What token is asked for.', {
  audiences: optional(strings, 'Who the token is for; the API server itself by default.'),
  expirationSeconds: optional(int64, 'Lifetime asked for, at least 600 seconds; one hour by default.'),
  boundObjectRef: optional(BoundObjectReference, 'An object the token lives no longer than.'),
});

export const TokenRequestStatus = authentication.struct('TokenRequestStatus', 'The token issued.', {
  // Clients send them empty (kubectl sends a null timestamp): the server fills them in.
  token: optional(str, 'The token, a signed JWT.'),
  expirationTimestamp: optional(str, 'When the token expires.'),
});

export const TokenRequest = authentication.kind(
  { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' },
  'Asks for a token of a service account; the token comes back in status.',
  {
    ...objectFields('Standard object metadata.'),
    spec: always(TokenRequestSpec, 'What token is asked for.'),
    status: optional(TokenRequestStatus, 'The token, filled in by the server.'),
  },
);
export type TokenRequest = z.infer<typeof TokenRequest>;
