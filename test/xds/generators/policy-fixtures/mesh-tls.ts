/** MeshTLS documents shared by the golden tables and the e2e test's expectations. */

/** Mesh-wide: TLS 1.3 only and two ciphers, on both sides of mesh mTLS. */
export const MESH_TLS_13 = `
type: MeshTLS
mesh: default
name: tls13
spec:
  targetRef:
    kind: Mesh
  rules:
  - default:
      tlsVersion:
        min: TLS13
        max: TLS13
      tlsCiphers:
      - ECDHE-ECDSA-AES256-GCM-SHA384
      - ECDHE-RSA-AES256-GCM-SHA384
`;

/** Permissive for the web inbound only, over a Strict mesh backend. */
export const MESH_TLS_PERMISSIVE_WEB = `
type: MeshTLS
mesh: default
name: web-permissive
spec:
  targetRef:
    kind: MeshSubset
    tags:
      kuma.io/service: web
  rules:
  - default:
      mode: Permissive
`;

/** Strict over a PERMISSIVE backend, set through the deprecated `from`. */
export const MESH_TLS_STRICT_FROM = `
type: MeshTLS
mesh: default
name: strict
spec:
  targetRef:
    kind: Mesh
  from:
  - targetRef:
      kind: Mesh
    default:
      mode: Strict
      tlsVersion:
        min: TLS12
`;

/** Only a minimum: the client side must still reach TLS 1.3 (Envoy's client default maximum is 1.2). */
export const MESH_TLS_MIN_13 = `
type: MeshTLS
mesh: default
name: tls13-min
spec:
  targetRef:
    kind: Mesh
  from:
  - targetRef:
      kind: Mesh
    default:
      tlsVersion:
        min: TLS13
`;
