#!/usr/bin/env node
// Writes .proto files for Kuma's KDS spec messages from the field tables in
// ../shared/spec/kuma-wire/kuma-proto-fields.md (field name, number, type, cardinality, json name,
// oneof; generated from Kuma 2.14.3's compiled descriptors). The output is committed under
// proto/kuma/; rerun only when the tables change:
//
//   node scripts/protos-from-field-tables.mjs ../shared/spec/kuma-wire/kuma-proto-fields.md proto
//
// One file per Kuma source file (api/mesh/v1alpha1/mesh.proto -> kuma/mesh/v1alpha1/mesh.proto),
// nested messages and enums inside their parents, top-level enums in a file of their own.
// KumaResource (kds.proto) is skipped: proto/kuma/mesh/v1alpha1/kds.proto is ours.
import fs from 'node:fs';
import path from 'node:path';

const [, , tablesPath, outRoot] = process.argv;
if (!tablesPath || !outRoot) {
  console.error('usage: protos-from-field-tables.mjs <kuma-proto-fields.md> <proto dir>');
  process.exit(2);
}

const WKT_FILES = {
  'google.protobuf.Any': 'google/protobuf/any.proto',
  'google.protobuf.Duration': 'google/protobuf/duration.proto',
  'google.protobuf.Timestamp': 'google/protobuf/timestamp.proto',
  'google.protobuf.Struct': 'google/protobuf/struct.proto',
  'google.protobuf.Value': 'google/protobuf/struct.proto',
  'google.protobuf.ListValue': 'google/protobuf/struct.proto',
};
for (const w of ['Bool', 'Bytes', 'Double', 'Float', 'Int32', 'Int64', 'String', 'UInt32', 'UInt64']) WKT_FILES[`google.protobuf.${w}Value`] = 'google/protobuf/wrappers.proto';

/** Parses the markdown into messages {name, file, parent, fields} and enums {name, values}. */
function parse(md) {
  const messages = new Map();
  const enums = new Map();
  let cur;
  for (const line of md.split('\n')) {
    let m;
    if ((m = /^### enum (\S+)/.exec(line))) {
      cur = { kind: 'enum', name: m[1], values: [] };
      enums.set(cur.name, cur);
    } else if ((m = /^### (\S+)$/.exec(line))) {
      cur = m[1].startsWith('google.protobuf.') ? undefined : { kind: 'message', name: m[1], file: '', parent: '', fields: [] };
      if (cur) messages.set(cur.name, cur);
    } else if (!cur) {
      continue;
    } else if ((m = /^file: `api\/(.+)`$/.exec(line))) {
      cur.file = `kuma/${m[1]}`;
    } else if ((m = /^Nested inside `(\S+)`\.$/.exec(line))) {
      cur.parent = m[1];
    } else if (line.startsWith('| ') && !line.startsWith('| field') && !line.startsWith('| value name') && !line.startsWith('| (no fields)')) {
      const cells = line.split('|').slice(1, -1).map((c) => c.trim());
      if (cur.kind === 'enum') cur.values.push({ name: cells[0], number: Number(cells[1]) });
      else cur.fields.push({ name: cells[0], number: Number(cells[1]), type: cells[2], card: cells[3], json: cells[4], oneof: cells[5] });
    }
  }
  return { messages, enums };
}

/** protoc's default json_name: underscores dropped, the next letter upper-cased. */
function defaultJsonName(name) {
  return name.replace(/_([a-zA-Z0-9])/g, (_, c) => c.toUpperCase()).replace(/_/g, '');
}

function snake(s) {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

function pkgOf(fullName) {
  return fullName.split('.').slice(0, 3).join('.');
}

const { messages, enums } = parse(fs.readFileSync(tablesPath, 'utf8'));
messages.delete('kuma.mesh.v1alpha1.KumaResource');
messages.delete('kuma.mesh.v1alpha1.KumaResource.Meta');

// Where each enum lives: inside its parent message, else (a package-level enum) in a file of its own.
// A parent that holds only nested types has no table (MeshGateway.TLS): it is created empty
// inside its nearest known ancestor.
const isMessageName = (n) => /^[A-Z]/.test(n.slice(n.lastIndexOf('.') + 1)) && n.split('.').length > 3;
for (const e of enums.values()) {
  const parent = e.name.slice(0, e.name.lastIndexOf('.'));
  let p = parent;
  const missing = [];
  while (isMessageName(p) && !messages.has(p)) {
    missing.push(p);
    p = p.slice(0, p.lastIndexOf('.'));
  }
  if (messages.has(p)) {
    for (const n of missing.reverse()) messages.set(n, { kind: 'message', name: n, file: messages.get(p).file, parent: n.slice(0, n.lastIndexOf('.')), fields: [] });
  }
  if (messages.has(parent)) {
    e.parent = parent;
    e.file = messages.get(parent).file;
  } else {
    e.parent = '';
    e.file = `kuma/${pkgOf(e.name).split('.').slice(1).join('/')}/${snake(e.name.slice(e.name.lastIndexOf('.') + 1))}.proto`;
  }
}
const fileOf = (fullName) => WKT_FILES[fullName] ?? messages.get(fullName)?.file ?? enums.get(fullName)?.file;

function typeRef(t, file, imports) {
  const m = /^(?:message|enum) `(\S+)`$/.exec(t);
  if (!m) return t; // scalar
  const f = fileOf(m[1]);
  if (!f) throw new Error(`no definition for ${m[1]}`);
  if (f !== file) imports.add(f);
  return `.${m[1]}`;
}

function fieldType(f, file, imports) {
  const mm = /^map<(\w+), (.+)>$/.exec(f.type);
  if (mm) return `map<${mm[1]}, ${typeRef(mm[2], file, imports)}>`;
  const base = typeRef(f.type, file, imports);
  if (f.card === 'repeated') return `repeated ${base}`;
  if (f.card.startsWith('optional')) return `optional ${base}`;
  return base;
}

function fieldLine(f, file, imports, indent) {
  const opt = f.json !== defaultJsonName(f.name) ? ` [json_name = "${f.json}"]` : '';
  return `${indent}${fieldType(f, file, imports)} ${f.name} = ${f.number}${opt};`;
}

function renderEnum(e, indent) {
  const out = [`${indent}enum ${e.name.slice(e.name.lastIndexOf('.') + 1)} {`];
  for (const v of e.values) out.push(`${indent}  ${v.name} = ${v.number};`);
  out.push(`${indent}}`);
  return out;
}

function renderMessage(msg, file, imports, indent) {
  const out = [`${indent}message ${msg.name.slice(msg.name.lastIndexOf('.') + 1)} {`];
  const inner = indent + '  ';
  for (const e of enums.values()) if (e.parent === msg.name) out.push(...renderEnum(e, inner));
  for (const n of messages.values()) if (n.parent === msg.name) out.push(...renderMessage(n, file, imports, inner));
  const done = new Set();
  for (const f of msg.fields) {
    if (!f.oneof) {
      out.push(fieldLine(f, file, imports, inner));
    } else if (!done.has(f.oneof)) {
      done.add(f.oneof);
      out.push(`${inner}oneof ${f.oneof} {`);
      for (const g of msg.fields.filter((x) => x.oneof === f.oneof)) out.push(fieldLine(g, file, imports, inner + '  '));
      out.push(`${inner}}`);
    }
  }
  out.push(`${indent}}`);
  return out;
}

const files = new Map();
for (const x of [...messages.values(), ...enums.values()]) {
  if (!x.file) throw new Error(`${x.name}: no file`);
  if (!files.has(x.file)) files.set(x.file, { pkg: pkgOf(x.name), tops: [] });
  if (!x.parent) files.get(x.file).tops.push(x);
}

for (const [file, { pkg, tops }] of [...files].sort()) {
  const imports = new Set();
  const body = [];
  for (const t of tops) {
    body.push(...(t.kind === 'enum' ? renderEnum(t, '') : renderMessage(t, file, imports, '')));
    body.push('');
  }
  const text = [
    'syntax = "proto3";',
    '',
    `// Kuma ${pkg} messages used as KDS spec payloads, written from the field tables of Kuma 2.14.3`,
    '// (scripts/protos-from-field-tables.mjs). Field names, numbers, types and JSON names are Kuma\'s;',
    '// validation options and comments are not carried.',
    `package ${pkg};`,
    '',
    ...[...imports].sort().map((i) => `import "${i}";`),
    ...(imports.size ? [''] : []),
    ...body,
  ].join('\n');
  const dest = path.join(outRoot, file);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.writeFileSync(dest, text.replace(/\n+$/, '\n'));
}
console.log(`protos-from-field-tables: ${files.size} files, ${messages.size} messages, ${enums.size} enums`);
