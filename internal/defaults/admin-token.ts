/**
 * The admin's user token, bootstrapped on first start as Kuma does
 * (pkg/plugins/authn/api-server/tokens/admin_token_bootstrap.go): GlobalSecret
 * `admin-user-token` holds a JWT for mesh-system:admin valid 10 years. The
 * log line says how to read it (localhost is admin) and how to hand it to
 * kumactl; the token itself is never logged.
 */
import { issueUserToken } from '../auth/tokens';
import { ADMIN_USER } from '../auth/user';
import type { CpConfig } from '../config/cp-config';
import { logger } from '../log/logger';
import type { ResourceStore } from '../store/resource-store';

export const ADMIN_TOKEN_SECRET = 'admin-user-token';
const TEN_YEARS_MS = 24 * 365 * 10 * 3_600_000;

/** Creates the admin token unless it exists; needs the user signing key. Returns whether it created one. */
export async function ensureAdminToken(cfg: CpConfig, store: ResourceStore): Promise<boolean> {
  const log = logger('defaults');
  let created = false;
  if (!store.get({ type: 'GlobalSecret', mesh: '', name: ADMIN_TOKEN_SECRET })) {
    log.info('Admin User Token not found. Generating.');
    const token = await issueUserToken(store, ADMIN_USER, TEN_YEARS_MS);
    await store.create({ type: 'GlobalSecret', mesh: '', name: ADMIN_TOKEN_SECRET, labels: {}, spec: { data: Buffer.from(token).toString('base64') } });
    log.info({ globalSecretName: ADMIN_TOKEN_SECRET }, 'saving generated Admin User Token');
    created = true;
  }
  log.info(
    'bootstrap of Admin User Token is enabled. ' +
      `To extract admin credentials execute 'curl http://localhost:${cfg.apiServer.http.port}/global-secrets/${ADMIN_TOKEN_SECRET} | jq -r .data | base64 -d'. ` +
      "You configure kumactl with them 'kuma config control-planes add --auth-type=tokens --auth-conf token=YOUR_TOKEN'. " +
      'To disable bootstrap of Admin User Token set KUMA_API_SERVER_AUTHN_TOKENS_BOOTSTRAP_ADMIN_TOKEN to false.',
  );
  return created;
}
