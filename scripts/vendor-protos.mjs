#!/usr/bin/env node
// Refreshes proto/vendor/ from the .proto files shipped in @grpc/grpc-js-xds (its deps/ folder)
// and the OpenTelemetry protos kept in third_party/opentelemetry-proto (see its README.md).
//
//   node scripts/vendor-protos.mjs [--out DIR]
//
// Only the protoc --include_imports closure of ROOTS is copied (google/protobuf WKTs excluded:
// they come from the `protoc` package's include dir). Files are normalised to LF (the npm tarball
// ships CRLF) and PGV's validate.proto is patched (see patchValidate). Then run `npm run gen:proto`.
// To need another Envoy message, add its file to ROOTS and re-run both scripts.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const xdsPkgDir = path.join(repo, "node_modules/@grpc/grpc-js-xds");
const depsDir = path.join(xdsPkgDir, "deps");
const protocPkgDir = path.join(repo, "node_modules/protoc");
const protocInclude = path.join(protocPkgDir, "include");
const outArg = process.argv.indexOf("--out");
// --out DIR writes elsewhere (test/unit/proto/codegen.test.ts checks proto/vendor is up to date)
const vendorDir = outArg > 0 ? path.resolve(process.argv[outArg + 1]) : path.join(repo, "proto/vendor");

// Upstream trees inside grpc-js-xds deps/ (each one is an include root), then trees of this repo.
const TREES = ["envoy-api", "xds", "googleapis", "protoc-gen-validate"];
const TREE_DIRS = [
  ...TREES.map((t) => [t, path.join(depsDir, t)]),
  // envoy-api imports opentelemetry/proto/... but grpc-js-xds does not ship it
  ["opentelemetry-proto", path.join(repo, "third_party/opentelemetry-proto")],
];

// Entry points; everything they import is vendored too.
const ROOTS = [
  // ADS / Delta xDS (also carried by KDS)
  "envoy/service/discovery/v3/ads.proto",
  "envoy/service/discovery/v3/discovery.proto",
  // resources served over xDS
  "envoy/config/listener/v3/listener.proto",
  "envoy/config/cluster/v3/cluster.proto",
  "envoy/config/endpoint/v3/endpoint.proto",
  "envoy/config/route/v3/route.proto",
  "envoy/config/rbac/v3/rbac.proto",
  // Envoy bootstrap written by `kuma dp run`
  "envoy/config/bootstrap/v3/bootstrap.proto",
  // filters and transport sockets
  "envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto",
  "envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto",
  "envoy/extensions/filters/network/rbac/v3/rbac.proto",
  "envoy/extensions/filters/http/router/v3/router.proto",
  "envoy/extensions/filters/http/rbac/v3/rbac.proto",
  "envoy/extensions/transport_sockets/tls/v3/tls.proto",
  "envoy/extensions/transport_sockets/tls/v3/secret.proto",
  // sidecar clusters (HTTP/2 upstreams, idle timeouts) and PERMISSIVE mTLS inbound listeners
  "envoy/extensions/upstreams/http/v3/http_protocol_options.proto",
  "envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.proto",
  // listener-level policies: MeshFaultInjection, MeshRateLimit, MeshAccessLog, MeshTrace, MeshPassthrough
  "envoy/extensions/filters/http/fault/v3/fault.proto",
  "envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit.proto",
  "envoy/extensions/filters/network/local_ratelimit/v3/local_rate_limit.proto",
  "envoy/extensions/filters/network/connection_limit/v3/connection_limit.proto",
  "envoy/extensions/access_loggers/file/v3/file.proto",
  "envoy/extensions/access_loggers/grpc/v3/als.proto",
  "envoy/extensions/access_loggers/open_telemetry/v3/logs_service.proto",
  // OTLP/gRPC LogsService: the collector test/e2e runs to receive the OpenTelemetry access logs
  "opentelemetry/proto/collector/logs/v1/logs_service.proto",
  // OTLP/gRPC MetricsService: kuma-dp's MeshMetric OpenTelemetry pusher and the e2e collector
  "opentelemetry/proto/collector/metrics/v1/metrics_service.proto",
  // MeshMetric's OpenTelemetry pipe listener counts the exports it forwards (as Kuma's does)
  "envoy/extensions/filters/http/grpc_stats/v3/config.proto",
  "envoy/config/trace/v3/zipkin.proto",
  "envoy/config/trace/v3/opentelemetry.proto",
  "envoy/config/trace/v3/datadog.proto",
  "envoy/extensions/filters/listener/original_dst/v3/original_dst.proto",
  "envoy/extensions/filters/listener/http_inspector/v3/http_inspector.proto",
  "envoy/extensions/clusters/dynamic_forward_proxy/v3/cluster.proto",
  "envoy/extensions/filters/http/dynamic_forward_proxy/v3/dynamic_forward_proxy.proto",
  "envoy/extensions/filters/network/sni_dynamic_forward_proxy/v3/sni_dynamic_forward_proxy.proto",
  // SDS
  "envoy/service/secret/v3/sds.proto",
  // Envoy admin /config_dump (zone -> global StreamXDSConfigs payloads)
  "envoy/admin/v3/config_dump.proto",
];

function protocBin() {
  const assets = JSON.parse(fs.readFileSync(path.join(protocPkgDir, "assets.json"), "utf8"));
  const a = assets.find((x) => x.platform === process.platform && x.arch === process.arch);
  if (!a) throw new Error(`protoc package has no binary for ${process.platform}/${process.arch}`);
  return path.join(protocPkgDir, "bin", a.executable);
}

// The PGV validate.proto pinned by grpc-node predates `ignore_empty`, which envoy-api uses.
// Add it to the 16 *Rules messages with the upstream PGV field numbers.
const IGNORE_EMPTY = {
  FloatRules: 8, DoubleRules: 8, Int32Rules: 8, Int64Rules: 8, UInt32Rules: 8, UInt64Rules: 8,
  SInt32Rules: 8, SInt64Rules: 8, Fixed32Rules: 8, Fixed64Rules: 8, SFixed32Rules: 8, SFixed64Rules: 8,
  StringRules: 26, BytesRules: 14, RepeatedRules: 5, MapRules: 6,
};
function patchValidate(text) {
  let out = text;
  for (const [msg, num] of Object.entries(IGNORE_EMPTY)) {
    const start = out.indexOf(`\nmessage ${msg} {`);
    if (start < 0) throw new Error(`validate.proto: message ${msg} not found`);
    const end = out.indexOf("\n}", start + 1); // message bodies close at column 0
    if (/ignore_empty/.test(out.slice(start, end))) continue;
    const add =
      "\n\n    // IgnoreEmpty specifies that the validation rules of this field should be evaluated only if\n" +
      "    // the field is not empty. (Added by kuma scripts/vendor-protos.mjs; upstream PGV field.)\n" +
      `    optional bool ignore_empty = ${num};`;
    out = out.slice(0, end) + add + out.slice(end);
  }
  return out;
}

// Envoy 1.40 (the one we run) deprecates OpenTelemetryAccessLogConfig.common_config for fields of
// its own that this mid-2024 data-plane-api lacks. Numbers and types are those of the descriptor
// compiled into that Envoy binary (grpc_service = 9, log_name = 10; common_config no longer
// required).
const OTEL_ALS = "envoy/extensions/access_loggers/open_telemetry/v3/logs_service.proto";
function patchOtelAccessLog(text) {
  const common = "  grpc.v3.CommonGrpcAccessLogConfig common_config = 1 [(validate.rules).message = {required: true}];\n";
  const imp = 'import "envoy/config/core/v3/extension.proto";\n';
  if (!text.includes(common) || !text.includes(imp)) throw new Error(`${OTEL_ALS}: common_config or imports not as expected`);
  return text
    .replace(imp, imp + 'import "envoy/config/core/v3/grpc_service.proto";\n')
    .replace(
      common,
      "  // Deprecated in Envoy 1.40 for grpc_service and log_name. (Patched by kuma scripts/vendor-protos.mjs.)\n" +
        "  grpc.v3.CommonGrpcAccessLogConfig common_config = 1;\n\n" +
        "  // The gRPC service of the OTLP collector. (Added by kuma scripts/vendor-protos.mjs; Envoy 1.40 field.)\n" +
        "  config.core.v3.GrpcService grpc_service = 9;\n\n" +
        "  // The log name, sent as a built-in resource label. (Added by kuma scripts/vendor-protos.mjs; Envoy 1.40 field.)\n" +
        "  string log_name = 10;\n",
    );
}

const lf = (s) => s.replace(/\r\n/g, "\n");

function main() {
  const xdsVersion = JSON.parse(fs.readFileSync(path.join(xdsPkgDir, "package.json"), "utf8")).version;
  const protocVersion = JSON.parse(fs.readFileSync(path.join(protocPkgDir, "package.json"), "utf8")).version;

  // 1. stage every .proto of the four trees (LF, patched) into one include root
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), "kuma-vendor-"));
  const origin = new Map(); // relative path -> tree
  for (const [tree, base] of TREE_DIRS) {
    for (const rel of fs.readdirSync(base, { recursive: true })) {
      if (!rel.endsWith(".proto")) continue;
      const relPosix = rel.split(path.sep).join("/");
      if (origin.has(relPosix)) continue;
      origin.set(relPosix, tree);
      let text = lf(fs.readFileSync(path.join(base, rel), "utf8"));
      if (relPosix === "validate/validate.proto") text = patchValidate(text);
      if (relPosix === OTEL_ALS) text = patchOtelAccessLog(text);
      fs.mkdirSync(path.dirname(path.join(stage, relPosix)), { recursive: true });
      fs.writeFileSync(path.join(stage, relPosix), text);
    }
  }

  // 2. closure via protoc --include_imports
  const setFile = path.join(stage, "closure.pb");
  const r = spawnSync(protocBin(), [`-I${stage}`, `-I${protocInclude}`, "--include_imports", `--descriptor_set_out=${setFile}`, ...ROOTS], { stdio: "inherit" });
  if (r.status !== 0) throw new Error(`protoc failed (exit ${r.status})`);
  const { fromBinary } = require("@bufbuild/protobuf");
  const { FileDescriptorSetSchema } = require("@bufbuild/protobuf/wkt");
  const set = fromBinary(FileDescriptorSetSchema, fs.readFileSync(setFile));
  const files = set.file.map((f) => f.name).filter((n) => !n.startsWith("google/protobuf/")).sort();

  // 3. replace proto/vendor
  fs.rmSync(vendorDir, { recursive: true, force: true });
  let bytes = 0;
  const perTree = {};
  for (const f of files) {
    if (!origin.has(f)) throw new Error(`${f} is in none of the source trees`);
    const dst = path.join(vendorDir, f);
    fs.mkdirSync(path.dirname(dst), { recursive: true });
    fs.copyFileSync(path.join(stage, f), dst);
    bytes += fs.statSync(dst).size;
    perTree[origin.get(f)] = (perTree[origin.get(f)] ?? 0) + 1;
  }
  fs.rmSync(stage, { recursive: true, force: true });
  fs.writeFileSync(path.join(vendorDir, "README.md"), readme({ xdsVersion, protocVersion, files, bytes, perTree }));
  console.log(`vendored ${files.length} files (${(bytes / 1024).toFixed(0)} KiB) into ${path.relative(repo, vendorDir)}`);
}

function readme({ xdsVersion, protocVersion, files, bytes, perTree }) {
  return `# proto/vendor — third-party .proto files (generated by scripts/vendor-protos.mjs; do not edit)

Source: npm \`@grpc/grpc-js-xds@${xdsVersion}\`, folder \`deps/\`. That package vendors these git
submodules of grpc/grpc-node (branch \`@grpc/grpc-js@1.14.x\`):

| tree | upstream | commit | files here |
|---|---|---|---|
| \`envoy/\` | envoyproxy/data-plane-api | \`f8b75d1efa92bbf534596a013d9ca5873f79dd30\` (2024-07-19, the same pin as grpc core) | ${perTree["envoy-api"] ?? 0} |
| \`xds/\`, \`udpa/\` | cncf/xds | \`3a472e52…\` (Jul 2025) | ${perTree["xds"] ?? 0} |
| \`google/api\`, \`google/rpc\` | googleapis/googleapis | \`8c53b2cb…\` | ${perTree["googleapis"] ?? 0} |
| \`validate/\` | envoyproxy/protoc-gen-validate (now bufbuild) | \`0af61d9d…\` | ${perTree["protoc-gen-validate"] ?? 0} |
| \`opentelemetry/\` | open-telemetry/opentelemetry-proto v1.3.1, from this repo's \`third_party/opentelemetry-proto\` (not in grpc-js-xds) | \`b3060d21…\` | ${perTree["opentelemetry-proto"] ?? 0} |

The npm tarball carries no commit ids: these are grpc-node's submodule pins for that branch,
recorded when the toolchain was evaluated (only the envoy-api one was cross-checked, against grpc
core's third_party list). The Envoy API is therefore the mid-2024 data-plane-api, older than the
Envoy that Kuma 2.14 ships; fields added upstream since then are absent here.

Not vendored: \`google/protobuf/*\` well-known types — protoc and ts-proto take them from the
\`protoc@${protocVersion}\` npm package's \`include/\` dir.

Changes against upstream:
1. Line endings normalised CRLF -> LF (the npm tarball ships CRLF).
2. \`validate/validate.proto\`: added \`optional bool ignore_empty = N;\` to the 16 \`*Rules\`
   messages (numerics 8, String 26, Bytes 14, Repeated 5, Map 6 — upstream PGV numbers). This PGV
   pin predates the field, which envoy-api options use; protoc rejects the files without it.
3. \`envoy/extensions/access_loggers/open_telemetry/v3/logs_service.proto\`: \`common_config\` is no
   longer required and \`grpc_service = 9\`, \`log_name = 10\` are added, as in the descriptor
   compiled into Envoy 1.40, which deprecates \`common_config\` for them.

Contents: the \`protoc --include_imports\` closure of the roots listed in
scripts/vendor-protos.mjs (ROOTS): ${files.length} files, ${(bytes / 1024).toFixed(0)} KiB.
To add a root: edit ROOTS, run \`node scripts/vendor-protos.mjs && npm run gen:proto\`.
`;
}

main();
