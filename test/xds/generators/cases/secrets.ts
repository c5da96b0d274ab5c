import { MESH_MTLS, dataplane, docs } from '../fixtures';
import type { Case } from '../golden';

export const secretsCases: Case[] = [
  { name: '01-mtls', mtls: true, resources: docs(MESH_MTLS, dataplane({})) },
  // identity and CA present but the mesh has mTLS off: nothing
  { name: '02-mtls-off', mtls: true, resources: dataplane({}) },
  // mesh mTLS on but the proxy has no identity yet: nothing
  { name: '03-no-identity', resources: docs(MESH_MTLS, dataplane({})) },
  ];
