/** Build facts, stamped by scripts/build.mjs through esbuild `define`; from sources they read as dev values. */
declare const __KUMA_VERSION__: string | undefined;
declare const __KUMA_GIT_COMMIT__: string | undefined;
declare const __KUMA_GIT_TAG__: string | undefined;
declare const __KUMA_BUILD_DATE__: string | undefined;

export const VERSION = typeof __KUMA_VERSION__ === 'string' ? __KUMA_VERSION__ : '2.14.0';
export const GIT_COMMIT = typeof __KUMA_GIT_COMMIT__ === 'string' ? __KUMA_GIT_COMMIT__ : 'unknown';
export const GIT_TAG = typeof __KUMA_GIT_TAG__ === 'string' ? __KUMA_GIT_TAG__ : 'unknown';
export const BUILD_DATE = typeof __KUMA_BUILD_DATE__ === 'string' ? __KUMA_BUILD_DATE__ : 'unknown';
export const PRODUCT = 'Kuma';

/**
 * The version the API index (`GET /`) reports. kumactl warns on every command
 * unless the server's version equals its own exactly, or contains "preview"
 * (Kuma's IsPreviewVersion, checked on the server's version). We are not
 * any one Kuma 2.14.x, so the index says `<our version>-preview`: every
 * kumactl 2.14.x accepts it silently, while `kuma version` says VERSION.
 */
export const API_INDEX_VERSION = VERSION.includes('preview') ? VERSION : `${VERSION}-preview`;
