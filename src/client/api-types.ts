// Generated from the OpenAPI document by `npm run openapi` (scripts/openapi). Do not edit by hand:
// a test fails when this file and the server disagree.
/* eslint-disable */
/** The catalogue code of a failure (src/core/errors.ts). Codes are never renamed, only added. */
export type ErrorCode =
  | "validation_failed"
  | "invalid_json"
  | "body_too_large"
  | "unsupported_media_type"
  | "not_found"
  | "method_not_allowed"
  | "invalid_email"
  | "weak_password"
  | "missing_password"
  | "missing_identity"
  | "invalid_username"
  | "user_exists"
  | "user_not_found"
  | "invalid_credentials"
  | "user_disabled"
  | "email_not_confirmed"
  | "too_many_sessions"
  | "property_invalid"
  | "property_protected"
  | "reset_token_invalid"
  | "not_authenticated"
  | "session_expired"
  | "forbidden"
  | "verification_token_invalid"
  | "email_already_verified"
  | "code_required"
  | "code_malformed"
  | "code_invalid"
  | "transaction_required"
  | "transaction_not_found"
  | "transaction_expired"
  | "transaction_used"
  | "transaction_locked"
  | "totp_not_pending"
  | "totp_not_enabled"
  | "second_factor_required"
  | "second_factor_invalid"
  | "second_factor_max_attempts"
  | "account_locked"
  | "email_not_verified"
  | "factor_unavailable"
  | "factor_change_pending"
  | "veto_token_invalid"
  | "account_locked_by_owner"
  | "second_factor_setup_required"
  | "webauthn_not_enabled"
  | "webauthn_invalid"
  | "webauthn_registration_failed"
  | "webauthn_credential_exists"
  | "webauthn_name_taken"
  | "webauthn_credential_not_found"
  | "webauthn_limit_reached"
  | "device_not_found"
  | "invalid_app_credentials"
  | "admin_token_invalid"
  | "admin_scope_missing"
  | "webhook_not_found"
  | "not_supported"
  | "mail_delivery_failed"
  | "database_unavailable"
  | "database_timeout"
  | "server_busy"
  | "rate_limited"
  | "internal";

/** A failure: its catalogue code, a sentence for people, and the details the code carries. */
export type ErrorBody = {
  "error": {
    "code": ErrorCode;
    "message": string;
    "details": {
      [key: string]: unknown;
    };
  };
};

export type User = {
  "id": string;
  "email": string;
  "username": string | null;
  "emailVerified": boolean;
  "emailCodesEnabled": boolean;
  "createdAt": string;
  "updatedAt": string;
};

/** The app's own properties of the user (name, phone, …): JSON values under names that start with a letter and have letters, digits and `_` (at most 64); at most 50 properties and 16 KiB of JSON in all. Names of the account itself (`email`, `password`, `objectId`, `userStatus`, …) are refused with 403 `property_protected`. */
export type Profile = {
  [key: string]: unknown;
};

export type Session = {
  "id": string;
  "client": string;
  "ip": string | null;
  "userAgent": string | null;
  "createdAt": string;
  "lastSeenAt": string;
  "expiresAt": string;
  "current": boolean;
  "amr": Array<"pwd" | "otp" | "hwk" | "swk" | "user" | "mfa">;
  "secondFactorAt": string | null;
};

export type WebAuthnCredential = {
  "id": string;
  "name": string;
  "createdAt": string;
  "lastUsedAt": string | null;
  "deviceType": "singleDevice" | "multiDevice";
  "backedUp": boolean;
  "transports": Array<string>;
};

export type PendingFactorChange = {
  "id": string;
  "kind": "totp-enable" | "totp-replace" | "totp-disable" | "email-enable" | "email-disable" | "passkey-add" | "passkey-remove";
  "factor": "totp" | "email" | "webauthn";
  "change": "enabled" | "replaced" | "disabled";
  "requestedAt": string;
  "applyAt": string;
};

export interface Paths {
  "/v1/admin/audit/head": {
    get: {
      responses: {
        200: {
          "at": string;
          "chains": number;
          "events": number;
          "digest": string;
          "keyId": string;
          "signature": string;
          "publicKey": string;
          "heads": Array<{
            [key: string]: unknown;
          }>;
        };
        401: ErrorBody;
        403: ErrorBody;
      };
    };
  };
  "/v1/admin/users": {
    get: {
      query: {
        "search"?: string;
        "hasSecondFactor"?: "true" | "false";
        "limit"?: string;
        "offset"?: string;
      };
      responses: {
        200: {
          "users": Array<{
            "id": string;
            "email": string;
            "username": string | null;
            "emailVerified": boolean;
            "disabled": boolean;
            "createdAt": string;
            "roles": Array<string>;
            "hasSecondFactor": boolean;
            "lockedUntil": string | null;
            "liveSessions": number;
            "factors": {
              "totp": {
                "setAt": string;
                "lastUsedAt": string | null;
              } | null;
              "email": {
                "setAt": string;
                "lastUsedAt": string | null;
              } | null;
              "passkeys": Array<{
                "id": string;
                "name": string;
                "createdAt": string;
                "lastUsedAt": string | null;
                "synced": boolean;
              }>;
              "backupCodes": {
                "remaining": number;
                "setAt": string;
                "lastUsedAt": string | null;
              } | null;
              "rememberedDevices": number;
            };
          }>;
        };
        401: ErrorBody;
        403: ErrorBody;
      };
    };
  };
  "/v1/admin/users/{id}": {
    get: {
      params: {
        "id": string;
      };
      responses: {
        200: {
          "user": {
            "id": string;
            "email": string;
            "username": string | null;
            "emailVerified": boolean;
            "disabled": boolean;
            "createdAt": string;
            "roles": Array<string>;
            "hasSecondFactor": boolean;
            "lockedUntil": string | null;
            "liveSessions": number;
            "factors": {
              "totp": {
                "setAt": string;
                "lastUsedAt": string | null;
              } | null;
              "email": {
                "setAt": string;
                "lastUsedAt": string | null;
              } | null;
              "passkeys": Array<{
                "id": string;
                "name": string;
                "createdAt": string;
                "lastUsedAt": string | null;
                "synced": boolean;
              }>;
              "backupCodes": {
                "remaining": number;
                "setAt": string;
                "lastUsedAt": string | null;
              } | null;
              "rememberedDevices": number;
            };
          };
          "sessions": Array<Session>;
        };
        401: ErrorBody;
        403: ErrorBody;
        404: ErrorBody;
      };
    };
  };
  "/v1/admin/users/{id}/events": {
    get: {
      query: {
        "limit"?: string;
        "before"?: string;
      };
      params: {
        "id": string;
      };
      responses: {
        200: {
          "events": Array<{
            "kind": string;
            "at": string;
            "client": string | null;
            "ip": string | null;
            "userAgent": string | null;
            "details": {
              [key: string]: unknown;
            };
          }>;
        };
        401: ErrorBody;
        403: ErrorBody;
        404: ErrorBody;
      };
    };
  };
  "/v1/admin/users/{id}/reset": {
    post: {
      body: {
        "factor": "totp" | "email" | "passkeys" | "backup_codes" | "remembered_devices" | "all";
      };
      params: {
        "id": string;
      };
      responses: {
        200: {
          "user": {
            "id": string;
            "email": string;
            "username": string | null;
            "emailVerified": boolean;
            "disabled": boolean;
            "createdAt": string;
            "roles": Array<string>;
            "hasSecondFactor": boolean;
            "lockedUntil": string | null;
            "liveSessions": number;
            "factors": {
              "totp": {
                "setAt": string;
                "lastUsedAt": string | null;
              } | null;
              "email": {
                "setAt": string;
                "lastUsedAt": string | null;
              } | null;
              "passkeys": Array<{
                "id": string;
                "name": string;
                "createdAt": string;
                "lastUsedAt": string | null;
                "synced": boolean;
              }>;
              "backupCodes": {
                "remaining": number;
                "setAt": string;
                "lastUsedAt": string | null;
              } | null;
              "rememberedDevices": number;
            };
          };
        };
        401: ErrorBody;
        403: ErrorBody;
        404: ErrorBody;
      };
    };
  };
  "/v1/admin/users/{id}/roles": {
    put: {
      body: {
        "roles": Array<string>;
      };
      params: {
        "id": string;
      };
      responses: {
        200: {
          "user": {
            "id": string;
            "email": string;
            "username": string | null;
            "emailVerified": boolean;
            "disabled": boolean;
            "createdAt": string;
            "roles": Array<string>;
            "hasSecondFactor": boolean;
            "lockedUntil": string | null;
            "liveSessions": number;
            "factors": {
              "totp": {
                "setAt": string;
                "lastUsedAt": string | null;
              } | null;
              "email": {
                "setAt": string;
                "lastUsedAt": string | null;
              } | null;
              "passkeys": Array<{
                "id": string;
                "name": string;
                "createdAt": string;
                "lastUsedAt": string | null;
                "synced": boolean;
              }>;
              "backupCodes": {
                "remaining": number;
                "setAt": string;
                "lastUsedAt": string | null;
              } | null;
              "rememberedDevices": number;
            };
          };
        };
        400: ErrorBody;
        401: ErrorBody;
        403: ErrorBody;
        404: ErrorBody;
      };
    };
  };
  "/v1/admin/users/{id}/unlock": {
    post: {
      params: {
        "id": string;
      };
      responses: {
        200: {
          "user": {
            "id": string;
            "email": string;
            "username": string | null;
            "emailVerified": boolean;
            "disabled": boolean;
            "createdAt": string;
            "roles": Array<string>;
            "hasSecondFactor": boolean;
            "lockedUntil": string | null;
            "liveSessions": number;
            "factors": {
              "totp": {
                "setAt": string;
                "lastUsedAt": string | null;
              } | null;
              "email": {
                "setAt": string;
                "lastUsedAt": string | null;
              } | null;
              "passkeys": Array<{
                "id": string;
                "name": string;
                "createdAt": string;
                "lastUsedAt": string | null;
                "synced": boolean;
              }>;
              "backupCodes": {
                "remaining": number;
                "setAt": string;
                "lastUsedAt": string | null;
              } | null;
              "rememberedDevices": number;
            };
          };
        };
        401: ErrorBody;
        403: ErrorBody;
        404: ErrorBody;
      };
    };
  };
  "/v1/admin/webhooks": {
    get: {
      responses: {
        200: {
          "endpoints": Array<{
            "id": string;
            "url": string;
            "kinds": Array<string>;
            "createdAt": string;
            "lastAttemptAt": string | null;
            "lastStatus": number | null;
            "lastError": string | null;
            "lastSuccessAt": string | null;
          }>;
        };
        401: ErrorBody;
        403: ErrorBody;
      };
    };
    post: {
      body: {
        "url": string;
        "kinds": Array<"sign-in" | "failure" | "lockout" | "factor-change" | "reset" | "session-revoke">;
      };
      responses: {
        201: {
          "endpoint": {
            "id": string;
            "url": string;
            "kinds": Array<string>;
            "createdAt": string;
            "lastAttemptAt": string | null;
            "lastStatus": number | null;
            "lastError": string | null;
            "lastSuccessAt": string | null;
          };
          "secret": string;
        };
        400: ErrorBody;
        401: ErrorBody;
        403: ErrorBody;
      };
    };
  };
  "/v1/admin/webhooks/{id}": {
    delete: {
      params: {
        "id": string;
      };
      responses: {
        204: null;
        401: ErrorBody;
        403: ErrorBody;
        404: ErrorBody;
      };
    };
  };
  "/v1/admin/webhooks/{id}/deliveries": {
    get: {
      params: {
        "id": string;
      };
      responses: {
        200: {
          "deliveries": Array<{
            "id": string;
            "kind": string;
            "createdAt": string;
            "attempts": number;
            "nextAttemptAt": string;
            "deliveredAt": string | null;
            "givenUpAt": string | null;
            "lastStatus": number | null;
            "lastError": string | null;
          }>;
        };
        401: ErrorBody;
        403: ErrorBody;
        404: ErrorBody;
      };
    };
  };
  "/v1/email-codes": {
    post: {
      body: {
        "emailOrUsername": string;
      };
      responses: {
        202: {
          "sent": true;
        };
        400: ErrorBody;
        503: ErrorBody;
      };
    };
  };
  "/v1/email-verification": {
    post: {
      body: {
        "token": string;
      };
      responses: {
        200: {
          "user": User;
        };
        400: ErrorBody;
      };
    };
  };
  "/v1/email-verification/confirm": {
    get: {
      query: {
        "token": string;
      };
      responses: {
        200: null;
      };
    };
  };
  "/v1/email-verification/resend": {
    post: {
      body: {
        "email": string;
      };
      responses: {
        202: null;
        400: ErrorBody;
        429: ErrorBody;
      };
    };
  };
  "/v1/factor-changes/veto": {
    post: {
      body: {
        "token": string;
      };
      responses: {
        204: null;
        400: ErrorBody;
        429: ErrorBody;
      };
    };
  };
  "/v1/me": {
    get: {
      responses: {
        200: {
          "user": User;
          "profile": Profile;
          "setupRequired"?: {
            "deadline": string;
            "restricted": boolean;
          };
          "pendingFactorChanges"?: Array<PendingFactorChange>;
        };
        401: ErrorBody;
      };
    };
    patch: {
      body: {
        "profile": Profile;
      };
      responses: {
        200: {
          "user": User;
          "profile": Profile;
          "setupRequired"?: {
            "deadline": string;
            "restricted": boolean;
          };
          "pendingFactorChanges"?: Array<PendingFactorChange>;
        };
        400: ErrorBody;
        401: ErrorBody;
        403: ErrorBody;
      };
    };
  };
  "/v1/me/backup-codes": {
    post: {
      body: {
        "code"?: string | number;
        "method"?: "totp" | "backup" | "email" | "password" | "webauthn";
        "webauthn"?: {
          "id": string;
          "rawId": string;
          "type": string;
          "response": {
            [key: string]: any;
          };
          [key: string]: any;
        };
        "password"?: string;
      };
      responses: {
        200: {
          "backupCodes": Array<string>;
        };
        400: ErrorBody;
        401: ErrorBody;
        409: ErrorBody;
      };
    };
  };
  "/v1/me/devices": {
    get: {
      responses: {
        200: {
          "devices": Array<{
            "id": string;
            "label": string;
            "createdAt": string;
            "expiresAt": string;
            "lastUsedAt": string | null;
          }>;
        };
        401: ErrorBody;
      };
    };
  };
  "/v1/me/devices/{id}": {
    delete: {
      params: {
        "id": string;
      };
      responses: {
        204: null;
        401: ErrorBody;
        404: ErrorBody;
      };
    };
  };
  "/v1/me/email-2fa": {
    post: {
      body: {
        "code"?: string | number;
        "method"?: "totp" | "backup" | "email" | "password" | "webauthn";
        "webauthn"?: {
          "id": string;
          "rawId": string;
          "type": string;
          "response": {
            [key: string]: any;
          };
          [key: string]: any;
        };
        "password"?: string;
      };
      responses: {
        200: {
          "enabled": true;
          "pendingUntil"?: string;
        };
        400: ErrorBody;
        401: ErrorBody;
        403: ErrorBody;
        409: ErrorBody;
      };
    };
  };
  "/v1/me/email-2fa/disable": {
    post: {
      body: {
        "code"?: string | number;
        "method"?: "totp" | "backup" | "email" | "password" | "webauthn";
        "webauthn"?: {
          "id": string;
          "rawId": string;
          "type": string;
          "response": {
            [key: string]: any;
          };
          [key: string]: any;
        };
        "password"?: string;
      };
      responses: {
        202: {
          "pendingUntil": string;
        };
        204: null;
        400: ErrorBody;
        401: ErrorBody;
        403: ErrorBody;
        409: ErrorBody;
      };
    };
  };
  "/v1/me/email-verification": {
    post: {
      responses: {
        202: {
          "sent": boolean;
        };
        401: ErrorBody;
        409: ErrorBody;
        503: ErrorBody;
      };
    };
  };
  "/v1/me/events": {
    get: {
      query: {
        "limit"?: string;
        "before"?: string;
      };
      responses: {
        200: {
          "events": Array<{
            "kind": string;
            "at": string;
            "client": string | null;
            "ip": string | null;
            "userAgent": string | null;
            "details": {
              [key: string]: unknown;
            };
          }>;
        };
        401: ErrorBody;
      };
    };
  };
  "/v1/me/password": {
    post: {
      body: {
        "currentPassword": string;
        "newPassword": string;
        "code"?: string | number;
        "method"?: "totp" | "backup" | "email" | "password" | "webauthn";
        "webauthn"?: {
          "id": string;
          "rawId": string;
          "type": string;
          "response": {
            [key: string]: any;
          };
          [key: string]: any;
        };
        "password"?: string;
      };
      responses: {
        204: null;
        400: ErrorBody;
        401: ErrorBody;
        429: ErrorBody;
      };
    };
  };
  "/v1/me/sessions": {
    get: {
      responses: {
        200: {
          "sessions": Array<Session>;
        };
        401: ErrorBody;
      };
    };
  };
  "/v1/me/sessions/{id}": {
    delete: {
      params: {
        "id": string;
      };
      responses: {
        204: null;
        401: ErrorBody;
        404: ErrorBody;
      };
    };
  };
  "/v1/me/sessions/revoke-others": {
    post: {
      body: {
        "code"?: string | number;
        "method"?: "totp" | "backup" | "email" | "password" | "webauthn";
        "webauthn"?: {
          "id": string;
          "rawId": string;
          "type": string;
          "response": {
            [key: string]: any;
          };
          [key: string]: any;
        };
        "password"?: string;
      };
      responses: {
        204: null;
        400: ErrorBody;
        401: ErrorBody;
        429: ErrorBody;
      };
    };
  };
  "/v1/me/step-up": {
    post: {
      body: {
        "operation": string;
        "weakensAccount"?: boolean;
        "code"?: string | number;
        "method"?: "totp" | "backup" | "email" | "password" | "webauthn";
        "webauthn"?: {
          "id": string;
          "rawId": string;
          "type": string;
          "response": {
            [key: string]: any;
          };
          [key: string]: any;
        };
        "password"?: string;
      };
      responses: {
        200: {
          "verified": true;
        };
        400: ErrorBody;
        401: ErrorBody;
        403: ErrorBody;
        409: ErrorBody;
      };
    };
  };
  "/v1/me/totp": {
    get: {
      responses: {
        200: {
          "enabled": boolean;
          "pending": boolean;
          "backupCodesRemaining": number;
        };
        401: ErrorBody;
      };
    };
    post: {
      body: {
        "code"?: string | number;
        "method"?: "totp" | "backup" | "email" | "password" | "webauthn";
        "webauthn"?: {
          "id": string;
          "rawId": string;
          "type": string;
          "response": {
            [key: string]: any;
          };
          [key: string]: any;
        };
        "password"?: string;
      };
      responses: {
        201: {
          "secret": string;
          "uri": string;
          "qrUrl": string;
          "transactionId": string;
          "expiresAt": string;
        };
        400: ErrorBody;
        401: ErrorBody;
        409: ErrorBody;
      };
    };
  };
  "/v1/me/totp/confirm": {
    post: {
      body: {
        "code": string | number;
      };
      responses: {
        200: {
          "backupCodes": Array<string>;
          "pendingUntil"?: string;
        };
        400: ErrorBody;
        401: ErrorBody;
        409: ErrorBody;
      };
    };
  };
  "/v1/me/totp/disable": {
    post: {
      body: {
        "code"?: string | number;
        "method"?: "totp" | "backup" | "email" | "password" | "webauthn";
        "webauthn"?: {
          "id": string;
          "rawId": string;
          "type": string;
          "response": {
            [key: string]: any;
          };
          [key: string]: any;
        };
        "password"?: string;
      };
      responses: {
        202: {
          "pendingUntil": string;
        };
        204: null;
        400: ErrorBody;
        401: ErrorBody;
        409: ErrorBody;
      };
    };
  };
  "/v1/me/webauthn/credentials": {
    post: {
      body: {
        "name": string;
        "response": {
          "id": string;
          "rawId": string;
          "type": string;
          "response": {
            [key: string]: any;
          };
          [key: string]: any;
        };
      };
      responses: {
        201: WebAuthnCredential;
        202: {
          "credential": WebAuthnCredential;
          "pendingUntil": string;
        };
        400: ErrorBody;
        401: ErrorBody;
        403: ErrorBody;
        404: ErrorBody;
        409: ErrorBody;
      };
    };
    get: {
      responses: {
        200: {
          "credentials": Array<WebAuthnCredential>;
        };
        401: ErrorBody;
      };
    };
  };
  "/v1/me/webauthn/credentials/{id}": {
    patch: {
      body: {
        "name": string;
      };
      params: {
        "id": string;
      };
      responses: {
        200: WebAuthnCredential;
        400: ErrorBody;
        401: ErrorBody;
        403: ErrorBody;
        404: ErrorBody;
        409: ErrorBody;
      };
    };
  };
  "/v1/me/webauthn/credentials/{id}/remove": {
    post: {
      body: {
        "code"?: string | number;
        "method"?: "totp" | "backup" | "email" | "password" | "webauthn";
        "webauthn"?: {
          "id": string;
          "rawId": string;
          "type": string;
          "response": {
            [key: string]: any;
          };
          [key: string]: any;
        };
        "password"?: string;
      };
      params: {
        "id": string;
      };
      responses: {
        202: {
          "pendingUntil": string;
        };
        204: null;
        400: ErrorBody;
        401: ErrorBody;
        403: ErrorBody;
        404: ErrorBody;
        409: ErrorBody;
      };
    };
  };
  "/v1/me/webauthn/registration-options": {
    post: {
      body: {
        "code"?: string | number;
        "method"?: "totp" | "backup" | "email" | "password" | "webauthn";
        "webauthn"?: {
          "id": string;
          "rawId": string;
          "type": string;
          "response": {
            [key: string]: any;
          };
          [key: string]: any;
        };
        "password"?: string;
      };
      responses: {
        200: {
          "challenge": string;
          "rp": {
            [key: string]: unknown;
          };
          "user": {
            [key: string]: unknown;
          };
          [key: string]: unknown;
        };
        400: ErrorBody;
        401: ErrorBody;
        403: ErrorBody;
        404: ErrorBody;
        409: ErrorBody;
      };
    };
  };
  "/v1/password-resets": {
    post: {
      body: {
        "email": string;
      };
      responses: {
        202: {
          "linkValidSeconds": number;
        };
        400: ErrorBody;
        429: ErrorBody;
      };
    };
  };
  "/v1/password-resets/confirm": {
    post: {
      body: {
        "token": string;
        "password": string;
      };
      responses: {
        204: null;
        400: ErrorBody;
        429: ErrorBody;
      };
    };
  };
  "/v1/policy": {
    get: {
      responses: {
        200: {
          "passwordMinLength": number;
          "passwordMaxLength": number;
          "emailCodeTtlSeconds": number;
          "stepUpWindowSeconds": number;
          "rememberDeviceDays": number;
          "requireEmailConfirmation": boolean;
          "passwordResetLinkSeconds": number;
        };
      };
    };
  };
  "/v1/sessions": {
    post: {
      body: {
        "login": string;
        "password": string;
      };
      responses: {
        201: {
          "token": string;
          "expiresAt": string;
          "user": User;
          "session": Session;
          "setupRequired"?: {
            "deadline": string;
            "restricted": boolean;
          };
        };
        202: {
          "secondFactorRequired": true;
          "transactionId": string;
          "expiresAt": string;
          "methods": Array<string>;
          "rememberDeviceDays": number;
        };
        400: ErrorBody;
        401: ErrorBody;
        403: ErrorBody;
      };
    };
  };
  "/v1/sessions/current": {
    delete: {
      responses: {
        204: null;
        401: ErrorBody;
      };
    };
  };
  "/v1/sessions/introspect": {
    post: {
      body: {
        "token": string;
      };
      responses: {
        200: {
          "active": boolean;
          "sub"?: string;
          "sid"?: string;
          "amr"?: Array<string>;
          "iat"?: number;
          "exp"?: number;
          "second_factor_at"?: number | null;
          "client_id"?: string;
          "token_type"?: "Bearer";
        };
        401: ErrorBody;
        403: ErrorBody;
      };
    };
  };
  "/v1/sessions/second-factor": {
    post: {
      body: {
        "transactionId": string;
        "code"?: string | number;
        "method"?: "totp" | "backup" | "email" | "webauthn";
        "webauthn"?: {
          "id": string;
          "rawId": string;
          "type": string;
          "response": {
            [key: string]: any;
          };
          [key: string]: any;
        };
        "rememberDevice"?: boolean;
      };
      responses: {
        200: ({
          "token": string;
          "expiresAt": string;
          "user": User;
          "session": Session;
          "setupRequired"?: {
            "deadline": string;
            "restricted": boolean;
          };
        }) & ({
          "backupCodes"?: Array<string>;
          "device"?: {
            "id": string;
            "token": string;
            "expiresAt": string;
          };
        });
        201: ({
          "token": string;
          "expiresAt": string;
          "user": User;
          "session": Session;
          "setupRequired"?: {
            "deadline": string;
            "restricted": boolean;
          };
        }) & ({
          "backupCodes"?: Array<string>;
          "device"?: {
            "id": string;
            "token": string;
            "expiresAt": string;
          };
        });
        400: ErrorBody;
        401: ErrorBody;
        403: ErrorBody;
        404: ErrorBody;
        409: ErrorBody;
        410: ErrorBody;
      };
    };
  };
  "/v1/sessions/webauthn-options": {
    post: {
      body: {
        "transactionId": string;
      };
      responses: {
        200: {
          "challenge": string;
          "rpId"?: string;
          "timeout"?: number;
          [key: string]: unknown;
        };
        400: ErrorBody;
        403: ErrorBody;
        404: ErrorBody;
        409: ErrorBody;
        410: ErrorBody;
      };
    };
  };
  "/v1/users": {
    post: {
      body: {
        "email": string;
        "password": string;
        "username"?: string;
        "totp"?: boolean;
        "profile"?: Profile;
      };
      responses: {
        201: {
          "user": User;
          "profile": Profile;
          "verificationMailSent": boolean;
          "totp"?: {
            "secret": string;
            "uri": string;
            "qrUrl": string;
            "transactionId": string;
            "expiresAt": string;
          };
        };
        400: ErrorBody;
        403: ErrorBody;
        409: ErrorBody;
      };
    };
  };
}
