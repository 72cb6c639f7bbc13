/** Release version of @cccd/emrtd, reported in chip profiles (kept equal to package.json by a test). */
export const EMRTD_VERSION = '0.1.0';
