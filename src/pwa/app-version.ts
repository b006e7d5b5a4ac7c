/** Which build of the app this is: set at build time (vite.config.ts `define`), "dev" otherwise. */
declare const __APP_VERSION__: string | undefined;

/** The package version plus the commit it was built from (or the build time), e.g. "0.1.0+845501f". */
export const APP_VERSION: string = typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : 'dev';
