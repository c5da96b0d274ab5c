/**
 * One errors module for the whole product. Every error a person can see is a
 * KumaError with a stable `code`; the API server maps codes to HTTP statuses
 * and Kuma's error body, the CLI maps them to a one-line reason and exit code.
 */

export type ErrorCode =
  | 'KUMA_VALIDATION'
  | 'KUMA_NOT_FOUND'
  | 'KUMA_CONFLICT'
  | 'KUMA_ALREADY_EXISTS'
  | 'KUMA_READ_ONLY'
  | 'KUMA_BAD_REQUEST'
  | 'KUMA_ACCESS_DENIED'
  | 'KUMA_UNAUTHENTICATED'
  | 'KUMA_CONFIG'
  | 'KUMA_INTERNAL';

/** A field path plus what is wrong with it, as Kuma's `invalid_parameters`. */
export interface Violation {
  field: string;
  message: string;
}

export class KumaError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = 'KumaError';
  }
}

/** Validation collects every violation before anything is written. */
export class ValidationError extends KumaError {
  readonly violations: Violation[];
  constructor(violations: Violation[], message = 'Resource is not valid') {
    super('KUMA_VALIDATION', message);
    this.violations = violations;
  }
  override toString(): string {
    return `${this.message}: ${this.violations.map((v) => `${v.field}: ${v.message}`).join('; ')}`;
  }
}

export class NotFoundError extends KumaError {
  constructor(message = 'Not found') {
    super('KUMA_NOT_FOUND', message);
  }
}

export class ConflictError extends KumaError {
  constructor(message: string) {
    super('KUMA_CONFLICT', message);
  }
}

export class AlreadyExistsError extends KumaError {
  constructor(message: string) {
    super('KUMA_ALREADY_EXISTS', message);
  }
}

export class ReadOnlyError extends KumaError {
  constructor(message: string) {
    super('KUMA_READ_ONLY', message);
  }
}

export class BadRequestError extends KumaError {
  readonly violations: Violation[];
  constructor(message: string, violations: Violation[] = []) {
    super('KUMA_BAD_REQUEST', message);
    this.violations = violations;
  }
}

export class AccessDeniedError extends KumaError {
  constructor(message: string) {
    super('KUMA_ACCESS_DENIED', message);
  }
}

export class ConfigError extends KumaError {
  constructor(message: string) {
    super('KUMA_CONFIG', message);
  }
}

export function isKumaError(e: unknown): e is KumaError {
  return e instanceof Error && typeof (e as KumaError).code === 'string' && (e as KumaError).code.startsWith('KUMA_');
}

/**
 * A non-2xx answer of the control plane's REST API as kumactl sees it, or a
 * failure to reach it at all (status 0). The message is Kuma's error body
 * already formatted for one line: `Title (detail): field: reason; ...`.
 */
export class ApiError extends KumaError {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  /** Kuma's `invalid_parameters`; not named `violations` so the one-line message is printed as is. */
  readonly invalidParameters: Violation[];
  constructor(status: number, message: string, parts: { title?: string; detail?: string; invalidParameters?: Violation[] } = {}) {
    super(apiErrorCode(status), message);
    this.status = status;
    this.title = parts.title ?? '';
    this.detail = parts.detail ?? '';
    this.invalidParameters = parts.invalidParameters ?? [];
  }
}

function apiErrorCode(status: number): ErrorCode {
  switch (status) {
    case 0:
      return 'KUMA_CONFIG';
    case 401:
      return 'KUMA_UNAUTHENTICATED';
    case 403:
      return 'KUMA_ACCESS_DENIED';
    case 404:
      return 'KUMA_NOT_FOUND';
    case 405:
      return 'KUMA_READ_ONLY';
    case 409:
      return 'KUMA_CONFLICT';
    default:
      // The server refused or failed; for the CLI that is exit 1, not an internal failure of ours.
      return 'KUMA_BAD_REQUEST';
  }
}
