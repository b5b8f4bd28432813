/** node-forge's own modules, imported one by one (certificates.ts): typed through `node-forge`'s types there. */
declare module 'node-forge/lib/forge.js' {
  const forge: unknown;
  export default forge;
}
declare module 'node-forge/lib/x509.js';
declare module 'node-forge/lib/sha256.js';
