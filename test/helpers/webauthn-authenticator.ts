// A software WebAuthn authenticator (plus the browser's part of the ceremony) for Node tests: it answers
// creation and request options with the JSON a browser's `credential.toJSON()` would send, signed with
// real ES256 (P-256) keys from node:crypto. Attestation is 'none'; every credential keeps its own
// signature counter. Nothing here trusts the server: the options are checked as a browser would
// (rpId, algorithms, excludeCredentials, allowCredentials), and `override` forges what a browser never
// would (another origin, rpId or challenge, a counter going backwards, a broken signature).
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { cose, isoBase64URL, isoCBOR } from '@simplewebauthn/server/helpers';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';

/** Authenticator data flags (WebAuthn §6.1). */
const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;

export interface SoftAuthenticatorOptions {
  /** The page's origin, as the browser reports it in clientDataJSON (e.g. `http://127.0.0.1:8080`). */
  origin: string;
  /** The relying party id the browser allows for that origin (the host, or a registrable suffix of it). */
  rpId: string;
  /** Backup eligible / backed up flags (a synced passkey): off by default, as on a hardware key. */
  backupEligible?: boolean;
  backedUp?: boolean;
  /** What the "browser" reports in `response.transports`. */
  transports?: string[];
  /** Answers with this AAGUID (16 bytes); zeros by default, as 'none' attestation usually does. */
  aaguid?: Uint8Array;
}

export interface RegisterOverride {
  origin?: string;
  rpId?: string;
  challenge?: string;
}

export interface AuthenticateOverride extends RegisterOverride {
  /** Signature counter of this one assertion (the credential's own counter is left as it was). */
  counter?: number;
  /** Answer with this credential (one this authenticator holds), even if allowCredentials does not name it. */
  credentialId?: string;
  /** Flip a bit of the signature. */
  tamper?: boolean;
  /** Answer without the user-verified flag (a key touched without its PIN or biometric). */
  userVerified?: boolean;
}

interface StoredCredential {
  id: Uint8Array;
  idB64: string;
  privateKey: KeyObject;
  publicKeySpki: Uint8Array;
  cosePublicKey: Uint8Array;
  rpId: string;
  userHandle: string;
  counter: number;
}

const sha256 = (data: Uint8Array | string): Buffer => createHash('sha256').update(data).digest();
const b64 = (bytes: Uint8Array): string => isoBase64URL.fromBuffer(new Uint8Array(bytes));
const utf8 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'utf8'));

function uint32be(n: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(n >>> 0);
  return out;
}

export class SoftAuthenticator {
  readonly origin: string;
  readonly rpId: string;
  private readonly flagsExtra: number;
  private readonly transports: string[];
  private readonly aaguid: Uint8Array;
  private readonly credentials: StoredCredential[] = [];

  constructor(options: SoftAuthenticatorOptions) {
    this.origin = options.origin;
    this.rpId = options.rpId;
    this.flagsExtra = (options.backupEligible ? FLAG_BE : 0) | (options.backedUp ? FLAG_BS : 0);
    this.transports = options.transports ?? ['usb'];
    this.aaguid = options.aaguid ?? new Uint8Array(16);
    if (this.aaguid.length !== 16) throw new Error('an AAGUID has 16 bytes');
  }

  /** The ids (base64url) of the credentials made so far, oldest first. */
  get credentialIds(): string[] {
    return this.credentials.map((c) => c.idB64);
  }

  /** The signature counter a credential last used (0 right after registration). */
  counterOf(credentialId: string): number {
    return this.find(credentialId).counter;
  }

  /** The credential's public key as COSE (what a relying party stores after registration). */
  cosePublicKeyOf(credentialId: string): Uint8Array<ArrayBuffer> {
    return new Uint8Array(this.find(credentialId).cosePublicKey);
  }

  /** The credential's public key as SPKI DER (what `response.publicKey` carries). */
  publicKeyOf(credentialId: string): Uint8Array {
    return this.find(credentialId).publicKeySpki;
  }

  /** Answers creation options as a browser would: a RegistrationResponseJSON with 'none' attestation. */
  register(options: PublicKeyCredentialCreationOptionsJSON, override: RegisterOverride = {}): RegistrationResponseJSON {
    this.checkRpId(options.rp?.id);
    if (!options.pubKeyCredParams?.some((p) => p.type === 'public-key' && p.alg === cose.COSEALG.ES256)) {
      throw new Error('NotSupportedError: the options do not offer ES256 (-7)');
    }
    const excluded = new Set((options.excludeCredentials ?? []).map((c) => c.id));
    const already = this.credentials.find((c) => excluded.has(c.idB64));
    if (already) throw new Error(`InvalidStateError: this authenticator already holds the excluded credential ${already.idB64}`);

    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const coseKey = new Map<number, number | Uint8Array>([
      [cose.COSEKEYS.kty, cose.COSEKTY.EC2],
      [cose.COSEKEYS.alg, cose.COSEALG.ES256],
      [cose.COSEKEYS.crv, cose.COSECRV.P256],
      [cose.COSEKEYS.x, new Uint8Array(Buffer.from(jwk.x!, 'base64url'))],
      [cose.COSEKEYS.y, new Uint8Array(Buffer.from(jwk.y!, 'base64url'))],
    ]);
    const id = new Uint8Array(randomBytes(32));
    const credential: StoredCredential = {
      id,
      idB64: b64(id),
      privateKey,
      publicKeySpki: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })),
      cosePublicKey: isoCBOR.encode(coseKey),
      rpId: this.rpId,
      userHandle: options.user.id,
      counter: 0,
    };

    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(id.length);
    const authData = new Uint8Array(
      Buffer.concat([
        sha256(override.rpId ?? this.rpId),
        Buffer.from([FLAG_UP | FLAG_UV | FLAG_AT | this.flagsExtra]),
        uint32be(credential.counter),
        this.aaguid,
        idLength,
        id,
        credential.cosePublicKey,
      ]),
    );
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Uint8Array | Map<string, string>>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, string>()],
        ['authData', authData],
      ]),
    );
    const clientDataJSON = this.clientData('webauthn.create', override.challenge ?? options.challenge, override.origin);
    this.credentials.push(credential);
    return {
      id: credential.idB64,
      rawId: credential.idB64,
      type: 'public-key',
      authenticatorAttachment: 'cross-platform',
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64(clientDataJSON),
        attestationObject: b64(attestationObject),
        authenticatorData: b64(authData),
        transports: [...this.transports],
        publicKeyAlgorithm: cose.COSEALG.ES256,
        publicKey: b64(credential.publicKeySpki),
      },
    };
  }

  /** Answers request options: an AuthenticationResponseJSON; the signature counter goes up by one each time. */
  authenticate(options: PublicKeyCredentialRequestOptionsJSON, override: AuthenticateOverride = {}): AuthenticationResponseJSON {
    this.checkRpId(options.rpId);
    const credential = override.credentialId ? this.find(override.credentialId) : this.pick(options);
    let counter: number;
    if (override.counter === undefined) {
      credential.counter += 1;
      counter = credential.counter;
    } else {
      counter = override.counter;
    }
    const authData = new Uint8Array(
      Buffer.concat([
        sha256(override.rpId ?? credential.rpId),
        Buffer.from([FLAG_UP | (override.userVerified === false ? 0 : FLAG_UV) | this.flagsExtra]),
        uint32be(counter),
      ]),
    );
    const clientDataJSON = this.clientData('webauthn.get', override.challenge ?? options.challenge, override.origin);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), credential.privateKey);
    if (override.tamper) signature.writeUInt8(signature.readUInt8(signature.length - 1) ^ 0x01, signature.length - 1);
    return {
      id: credential.idB64,
      rawId: credential.idB64,
      type: 'public-key',
      authenticatorAttachment: 'cross-platform',
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64(clientDataJSON),
        authenticatorData: b64(authData),
        signature: b64(new Uint8Array(signature)),
        userHandle: credential.userHandle,
      },
    };
  }

  private clientData(type: 'webauthn.create' | 'webauthn.get', challenge: string, origin?: string): Uint8Array {
    return utf8(JSON.stringify({ type, challenge, origin: origin ?? this.origin, crossOrigin: false }));
  }

  /** A browser refuses options naming an rpId its origin may not use. */
  private checkRpId(rpId: string | undefined): void {
    if (rpId !== undefined && rpId !== this.rpId) {
      throw new Error(`SecurityError: the options name rpId '${rpId}', this authenticator (origin ${this.origin}) uses '${this.rpId}'`);
    }
  }

  /** The credential the user would touch: the first of ours that allowCredentials names (any of ours when empty). */
  private pick(options: PublicKeyCredentialRequestOptionsJSON): StoredCredential {
    const allowed = options.allowCredentials ?? [];
    const ours = this.credentials.filter((c) => c.rpId === this.rpId);
    const found = allowed.length === 0 ? ours[0] : ours.find((c) => allowed.some((a) => a.id === c.idB64));
    if (!found) throw new Error('NotAllowedError: this authenticator holds none of the allowed credentials');
    return found;
  }

  private find(credentialId: string): StoredCredential {
    const found = this.credentials.find((c) => c.idB64 === credentialId);
    if (!found) throw new Error(`this authenticator does not hold the credential ${credentialId}`);
    return found;
  }
}
