/** The request's status reader for the MeshService family (meshservice/status-source.ts), from the source wired in control-plane.ts. */
import type { StatusOf, StatusSource } from '../meshservice/status-source';

/** Without a wired source nothing has a status. */
export function statusReader(deps: { status?: StatusSource }): StatusOf {
  return deps.status ? deps.status.reader() : () => undefined;
}
