import { v, validationTable } from './table';

const head = 'type: MeshTLS\nmesh: default\nname: mtls\n';
const CIPHERS =
  '"tlsCiphers" must be one of ["ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305"]';
const VERSIONS = '["TLSAuto", "TLS10", "TLS11", "TLS12", "TLS13"]';

validationTable('MeshTLS', {
  valid: {
    'mesh-wide versions and ciphers': `${head}spec:
  targetRef: { kind: Mesh }
  rules:
  - default: { tlsVersion: { min: TLS12, max: TLSAuto }, tlsCiphers: [ECDHE-ECDSA-AES256-GCM-SHA384] }
`,
    'a mode per subset (from)': `${head}spec:
  targetRef: { kind: MeshSubset, tags: { kuma.io/service: web } }
  from:
  - targetRef: { kind: Mesh }
    default: { mode: Permissive }
`,
    'a mode per dataplane': `${head}spec:
  targetRef: { kind: Dataplane, labels: { app: web } }
  rules:
  - default: { mode: Strict }
`,
  },
  invalid: {
    'unknown mode, ciphers and versions': {
      yaml: `${head}spec:
  rules:
  - default: { mode: Loose, tlsCiphers: [RC4], tlsVersion: { min: TLS9, max: SSL3 } }
`,
      violations: [
        v('spec.rules[0].default.mode', '"mode" must be one of ["Strict", "Permissive"]'),
        v('spec.rules[0].default.tlsCiphers', CIPHERS),
        v('spec.rules[0].default.tlsVersion.min', `"min" must be one of ${VERSIONS}`),
        v('spec.rules[0].default.tlsVersion.max', `"max" must be one of ${VERSIONS}`),
      ],
    },
    'min above max': {
      yaml: `${head}spec:
  rules:
  - default: { tlsVersion: { min: TLS13, max: TLS12 } }
`,
      violations: [v('spec.rules[0].default.tlsVersion.min', 'min version must be lower than max')],
    },
    'versions and ciphers need top-level kind Mesh': {
      yaml: `${head}spec:
  targetRef: { kind: MeshSubset, tags: { kuma.io/service: web } }
  rules:
  - default: { tlsCiphers: [ECDHE-RSA-AES256-GCM-SHA384], tlsVersion: { min: TLS12 } }
`,
      violations: [
        v('spec.rules[0].default.tlsCiphers', 'tlsCiphers can only be defined with top level targetRef kind: Mesh'),
        v('spec.rules[0].default.tlsVersion', 'tlsVersion can only be defined with top level targetRef kind: Mesh'),
      ],
    },
    'no `to` section': {
      yaml: `${head}spec:
  to:
  - targetRef: { kind: Mesh }
    default: { mode: Strict }
`,
      violations: [v('spec.to', 'must not be defined'), v('spec', "at least one of 'from' or 'rules' has to be defined")],
    },
    'unsupported top-level kind': {
      yaml: `${head}spec:
  targetRef: { kind: MeshService, name: web }
  rules:
  - default: { mode: Strict }
`,
      violations: [v('spec.targetRef.kind', 'value is not supported')],
    },
  },
});
