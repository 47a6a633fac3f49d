// Generated from the OpenAPI document by `npm run openapi` (scripts/openapi). Do not edit by hand:
// a test fails when this file and the server disagree.
/* eslint-disable */
export interface Paths {
  "/v1/email-codes": {
    post: {
      body: {
        "emailOrUsername": string;
      };
      responses: {
        202: {
          "sent": true;
        };
        400: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        503: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
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
          "user": {
            "id": string;
            "email": string;
            "username": string | null;
            "emailVerified": boolean;
            "createdAt": string;
            "updatedAt": string;
          };
        };
        400: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
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
  "/v1/me": {
    get: {
      responses: {
        200: {
          "user": {
            "id": string;
            "email": string;
            "username": string | null;
            "emailVerified": boolean;
            "createdAt": string;
            "updatedAt": string;
          };
        };
        401: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
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
            [key: string]: unknown;
          };
          [key: string]: unknown;
        };
        "password"?: string;
      };
      responses: {
        200: {
          "backupCodes": Array<string>;
        };
        400: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        401: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        409: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
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
        401: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
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
        401: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        404: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
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
            [key: string]: unknown;
          };
          [key: string]: unknown;
        };
        "password"?: string;
      };
      responses: {
        200: {
          "enabled": true;
        };
        400: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        401: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        403: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        409: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
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
            [key: string]: unknown;
          };
          [key: string]: unknown;
        };
        "password"?: string;
      };
      responses: {
        204: null;
        400: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        401: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        403: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        409: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
      };
    };
  };
  "/v1/me/email-verification": {
    post: {
      responses: {
        202: {
          "sent": boolean;
        };
        401: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        409: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        503: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
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
        401: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
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
            [key: string]: unknown;
          };
          [key: string]: unknown;
        };
        "password"?: string;
      };
      responses: {
        204: null;
        400: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        401: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        429: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
      };
    };
  };
  "/v1/me/sessions": {
    get: {
      responses: {
        200: {
          "sessions": Array<{
            "id": string;
            "client": string;
            "ip": string | null;
            "userAgent": string | null;
            "createdAt": string;
            "lastSeenAt": string;
            "expiresAt": string;
            "current": boolean;
          }>;
        };
        401: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
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
        401: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        404: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
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
            [key: string]: unknown;
          };
          [key: string]: unknown;
        };
        "password"?: string;
      };
      responses: {
        200: {
          "verified": true;
        };
        400: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        401: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        403: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        409: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
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
        401: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
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
            [key: string]: unknown;
          };
          [key: string]: unknown;
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
        400: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        401: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        409: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
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
        };
        400: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        401: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        409: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
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
            [key: string]: unknown;
          };
          [key: string]: unknown;
        };
        "password"?: string;
      };
      responses: {
        204: null;
        400: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        401: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        409: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
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
            [key: string]: unknown;
          };
          [key: string]: unknown;
        };
      };
      responses: {
        201: {
          "id": string;
          "name": string;
          "createdAt": string;
          "lastUsedAt": string | null;
          "deviceType": "singleDevice" | "multiDevice";
          "backedUp": boolean;
          "transports": Array<string>;
        };
        400: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        401: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        403: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        404: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        409: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
      };
    };
    get: {
      responses: {
        200: {
          "credentials": Array<{
            "id": string;
            "name": string;
            "createdAt": string;
            "lastUsedAt": string | null;
            "deviceType": "singleDevice" | "multiDevice";
            "backedUp": boolean;
            "transports": Array<string>;
          }>;
        };
        401: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
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
            [key: string]: unknown;
          };
          [key: string]: unknown;
        };
        "password"?: string;
      };
      params: {
        "id": string;
      };
      responses: {
        204: null;
        400: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        401: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        403: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        404: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        409: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
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
            [key: string]: unknown;
          };
          [key: string]: unknown;
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
        400: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        401: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        403: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        404: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        409: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
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
          "user": {
            "id": string;
            "email": string;
            "username": string | null;
            "emailVerified": boolean;
            "createdAt": string;
            "updatedAt": string;
          };
          "session": {
            "id": string;
            "client": string;
            "ip": string | null;
            "userAgent": string | null;
            "createdAt": string;
            "lastSeenAt": string;
            "expiresAt": string;
            "current": boolean;
          };
        };
        202: {
          "secondFactorRequired": true;
          "transactionId": string;
          "expiresAt": string;
          "methods": Array<string>;
          "rememberDeviceDays": number;
        };
        400: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        401: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        403: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
      };
    };
  };
  "/v1/sessions/current": {
    delete: {
      responses: {
        204: null;
        401: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
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
            [key: string]: unknown;
          };
          [key: string]: unknown;
        };
        "rememberDevice"?: boolean;
      };
      responses: {
        200: ({
          "token": string;
          "expiresAt": string;
          "user": {
            "id": string;
            "email": string;
            "username": string | null;
            "emailVerified": boolean;
            "createdAt": string;
            "updatedAt": string;
          };
          "session": {
            "id": string;
            "client": string;
            "ip": string | null;
            "userAgent": string | null;
            "createdAt": string;
            "lastSeenAt": string;
            "expiresAt": string;
            "current": boolean;
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
          "user": {
            "id": string;
            "email": string;
            "username": string | null;
            "emailVerified": boolean;
            "createdAt": string;
            "updatedAt": string;
          };
          "session": {
            "id": string;
            "client": string;
            "ip": string | null;
            "userAgent": string | null;
            "createdAt": string;
            "lastSeenAt": string;
            "expiresAt": string;
            "current": boolean;
          };
        }) & ({
          "backupCodes"?: Array<string>;
          "device"?: {
            "id": string;
            "token": string;
            "expiresAt": string;
          };
        });
        400: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        401: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        403: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        404: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        409: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        410: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
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
        400: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        403: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        404: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        409: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        410: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
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
      };
      responses: {
        201: {
          "user": {
            "id": string;
            "email": string;
            "username": string | null;
            "emailVerified": boolean;
            "createdAt": string;
            "updatedAt": string;
          };
          "verificationMailSent": boolean;
          "totp"?: {
            "secret": string;
            "uri": string;
            "qrUrl": string;
            "transactionId": string;
            "expiresAt": string;
          };
        };
        400: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
        409: {
          "error": {
            "code": string;
            "message": string;
            "details": {
              [key: string]: unknown;
            };
          };
        };
      };
    };
  };
}
