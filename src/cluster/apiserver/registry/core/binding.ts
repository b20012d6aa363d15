/** bindings: the older top-level way to bind a pod (pods/<name>/binding is the same); nothing is stored. */
import type { Binding } from '../../../api/core/binding.ts';
import { bindings as resource } from '../../../api/core/register.ts';
import type { ResourceRegistration } from '../registration.ts';
import { createBinding } from './pod/binding.ts';

export const bindings: ResourceRegistration<Binding> = { resource, create: createBinding };
