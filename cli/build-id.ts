// Replaced at build time (scripts/build.mjs) with a hash of the sources; undefined when running from source.
declare const __FLITSTACK_BUILD__: string | undefined;

/** Identity of the running build, or undefined when running the TypeScript sources (development). */
export const BUILD_ID: string | undefined =
  typeof __FLITSTACK_BUILD__ === 'string' ? __FLITSTACK_BUILD__ : undefined;
