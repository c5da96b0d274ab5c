/**
 * Where a sidecar's Envoy writes the lines of MeshAccessLog Tcp backends and kuma-dp reads them
 * (Kuma's `kuma-al-<dataplane>-<mesh>.sock` in the temp dir): shared by the generator and kuma-dp
 * so both sides agree without a handshake.
 */
export function accessLogPipePath(dataplane: string, mesh: string): string {
  return `/tmp/kuma-al-${dataplane}-${mesh}.sock`;
}
