/**
 * Kuma's REST error body (spec kuma-api-cli.md §2.7) turned into one line.
 * kumactl prints `Title (detail)` and then one `* field: reason` line per
 * parameter; our CLI reports on one line, so the parameters follow a colon,
 * separated by "; ".
 */
import { ApiError, type Violation } from '../errors';

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** Reads `invalid_parameters` ({field, reason}) or, from older servers, `causes` ({field, message}). */
function parameters(body: Record<string, unknown>): Violation[] {
  const out: Violation[] = [];
  if (Array.isArray(body.invalid_parameters)) {
    for (const p of body.invalid_parameters as Record<string, unknown>[]) out.push({ field: str(p?.field), message: str(p?.reason) });
  } else if (Array.isArray(body.causes)) {
    for (const p of body.causes as Record<string, unknown>[]) out.push({ field: str(p?.field), message: str(p?.message) });
  }
  return out;
}

export function formatApiErrorLine(title: string, detail: string, params: Violation[]): string {
  // The read-only texts of §2.8 end with a newline; one line is what we print.
  const d = detail.trim();
  let msg = d ? `${title} (${d})` : title;
  if (params.length > 0) msg += `: ${params.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join('; ')}`;
  return msg;
}

/** An ApiError from a non-2xx response; a body that is not Kuma's error is shown as `(status): body`. */
export function apiErrorFromResponse(status: number, text: string): ApiError {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (body && typeof body === 'object' && !Array.isArray(body) && str((body as Record<string, unknown>).title)) {
    const b = body as Record<string, unknown>;
    const title = str(b.title);
    const detail = str(b.detail) || str(b.details);
    const params = parameters(b);
    return new ApiError(status, formatApiErrorLine(title, detail, params), { title, detail, invalidParameters: params });
  }
  const oneLine = text.trim().replace(/\s*\n\s*/g, ' ');
  return new ApiError(status, oneLine ? `(${status}): ${oneLine}` : `the control plane answered with status ${status}`);
}
