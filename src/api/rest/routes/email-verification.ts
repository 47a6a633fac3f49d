import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Core } from '../../../core/index.ts';
import { isTwofoldError } from '../../../core/errors.ts';
import { errorResponseSchema } from '../errors.ts';
import { Email, OpaqueToken, UserSchema, userJson } from '../schemas.ts';

export const VERIFY_LINK_PATH = '/v1/email-verification/confirm';

export const emailVerificationRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  app.post(
    '/email-verification',
    {
      config: { rateLimit: 'emailVerification' },
      schema: {
        summary: 'Confirm an email address with the token from the verification link',
        tags: ['users'],
        body: Type.Object({ token: OpaqueToken }, { additionalProperties: false }),
        response: { 200: Type.Object({ user: UserSchema }), 400: errorResponseSchema },
      },
    },
    async (request) => ({ user: userJson(await core.auth.confirmEmail(request.body.token), core) }),
  );

  app.post(
    '/email-verification/resend',
    {
      config: { rateLimit: 'accountMail' },
      schema: {
        summary: 'Mail a new verification link to an address, without a session (202 for any address)',
        description:
          'For a user who cannot sign in yet (REQUIRE_EMAIL_CONFIRMATION) and lost the first mail. The answer is the same ' +
          'for an unknown, disabled or already verified address. Signed in, use `POST /me/email-verification`.',
        tags: ['users'],
        body: Type.Object({ email: Email }, { additionalProperties: false }),
        response: { 202: Type.Null(), 400: errorResponseSchema, 429: errorResponseSchema },
      },
    },
    async (request, reply) => {
      await core.auth.resendVerificationTo(request.body.email);
      return reply.status(202).send(null);
    },
  );

  // The link in the mail: a person clicks it and reads the answer in a browser.
  app.get(
    '/email-verification/confirm',
    {
      config: { rateLimit: 'emailVerification' },
      schema: {
        summary: 'The verification link itself (answers a small HTML page)',
        tags: ['users'],
        querystring: Type.Object({ token: OpaqueToken }),
        produces: ['text/html'],
      },
    },
    async (request, reply) => {
      void reply
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer')
        .header('content-security-policy', LINK_PAGE_CSP)
        .type('text/html; charset=utf-8');
      try {
        await core.auth.confirmEmail(request.query.token);
        return page('Email address verified', 'Thank you. Your email address is verified.', 'Go to your account');
      } catch (error) {
        if (!isTwofoldError(error) || error.code !== 'verification_token_invalid') throw error;
        void reply.status(400);
        return page('Link not valid', 'This verification link is invalid, expired or already used. Sign in, and ask for a new one on your account page.', 'Sign in');
      }
    },
  );
};

/** The page's own small style, inline: nothing else may load (no script, no other origin). */
const LINK_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const LINK_PAGE_STYLE =
  ':root{color-scheme:light dark;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;--bg:#f5f6f8;--card:#fff;--text:#1c2430;--line:#d5dae1;--accent:#1f5fbf;--accent-text:#fff}' +
  '@media (prefers-color-scheme:dark){:root{--bg:#14181d;--card:#1e242b;--text:#e8ecf1;--line:#3a434d;--accent:#7db0ff;--accent-text:#0b1a30}}' +
  'body{margin:0;background:var(--bg);color:var(--text)}main{max-width:40rem;margin:2rem auto;padding:1rem 1.25rem;background:var(--card);border:1px solid var(--line);border-radius:.75rem}' +
  'h1{font-size:1.6rem;margin:.25rem 0 .75rem}a{display:inline-block;padding:.6rem 1rem;border-radius:.5rem;background:var(--accent);color:var(--accent-text);font-weight:600;text-decoration:none}a:focus-visible{outline:3px solid #f0a500;outline-offset:2px}';

/** The answer to the link, styled like the account page and with the way back to it (relative: a proxy's prefix stays). */
function page(title: string, text: string, action: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${title} · twofold</title><style>${LINK_PAGE_STYLE}</style></head>` +
    `<body><main><h1>${title}</h1><p>${text}</p><p><a href="../../">${action}</a></p></main></body></html>`
  );
}
