#!/usr/bin/env node
// Generates TypeScript (ts-proto) from proto/vendor/** and our proto/kuma/** into proto/gen/.
//
//   npm run gen:proto              # rewrites proto/gen (committed; never edit it by hand)
//   node scripts/gen-proto.mjs --out DIR   # generate elsewhere (test/unit/proto/codegen.test.ts)
//
// protoc comes from the npm `protoc` package (its include/ dir supplies google/protobuf WKTs);
// the plugin is node_modules/.bin/protoc-gen-ts_proto. Options: toolchain.md §4.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const protoDir = path.join(repo, "proto");
const vendorDir = path.join(protoDir, "vendor");
const protocPkgDir = path.join(repo, "node_modules/protoc");

export const TS_PROTO_OPTS = [
  "outputServices=grpc-js",
  "esModuleInterop=true",
  "env=node",
  "oneof=unions-value",
  "forceLong=string",
  "useDate=false",
  "useOptionals=messages",
  "outputTypeRegistry=true",
  // with the default $type annotations ts-proto 2.18 emits TS2352 errors in map-field fromPartial
  "outputTypeAnnotations=static-only",
];

function protocBin() {
  const assets = JSON.parse(fs.readFileSync(path.join(protocPkgDir, "assets.json"), "utf8"));
  const a = assets.find((x) => x.platform === process.platform && x.arch === process.arch);
  if (!a) throw new Error(`protoc package has no binary for ${process.platform}/${process.arch}`);
  return path.join(protocPkgDir, "bin", a.executable);
}

/** .proto files under dir, as include-relative POSIX paths, sorted. */
function protoFiles(dir, skip = []) {
  return fs
    .readdirSync(dir, { recursive: true })
    .map((p) => p.split(path.sep).join("/"))
    .filter((p) => p.endsWith(".proto") && !skip.some((s) => p === s || p.startsWith(s + "/")))
    .sort();
}

export function generate(outDir) {
  const plugin = path.join(repo, "node_modules/.bin/protoc-gen-ts_proto");
  if (!fs.existsSync(plugin)) throw new Error("ts-proto is not installed (npm ci)");
  // Every vendored file is generated (the vendor dir is already the pruned import closure),
  // plus our own protos (everything under proto/ except vendor/ and gen/).
  const files = [...protoFiles(vendorDir), ...protoFiles(protoDir, ["vendor", "gen"])];
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const args = [
    `--plugin=protoc-gen-ts_proto=${plugin}`,
    `--ts_proto_out=${outDir}`,
    `--ts_proto_opt=${TS_PROTO_OPTS.join(",")}`,
    `-I${vendorDir}`,
    `-I${protoDir}`,
    `-I${path.join(protocPkgDir, "include")}`,
    ...files,
  ];
  const r = spawnSync(protocBin(), args, { stdio: "inherit", cwd: repo });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`protoc failed (exit ${r.status})`);
  return files.length;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf("--out");
  const outDir = i > 0 ? path.resolve(process.argv[i + 1]) : path.join(protoDir, "gen");
  const t0 = performance.now();
  const n = generate(outDir);
  const ms = Math.round(performance.now() - t0);
  console.log(`gen-proto: ${n} .proto files -> ${path.relative(repo, outDir) || outDir} in ${ms} ms`);
}
