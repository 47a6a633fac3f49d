/**
 * @simplewebauthn/server, imported on first use: the library and its ASN.1 and CBOR dependencies were the largest
 * single import of a server's start-up (≈ 0.4 s of every start and restart), and most starts never see a key.
 */
let loading: Promise<typeof import('@simplewebauthn/server')> | undefined;

export function simpleWebAuthn(): Promise<typeof import('@simplewebauthn/server')> {
  return (loading ??= import('@simplewebauthn/server'));
}
