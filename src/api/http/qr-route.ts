import type { FastifyPluginAsync } from 'fastify';
import type { Core } from '../../core/index.ts';

/**
 * The QR image behind a `qrURL`: drawn here from the pending secret, never by a third-party service,
 * never cached, and only while its link lives (10 minutes) and the authenticator awaits confirmation.
 */
export const qrRoute: FastifyPluginAsync<{ core: Core }> = async (app, { core }) => {
  app.get<{ Params: { id: string } }>(
    '/qr/:id.png',
    { schema: { hide: true, params: { type: 'object', properties: { id: { type: 'string', maxLength: 128 } }, required: ['id'] } } },
    async (request, reply) => {
      const uri = await core.factors.totp.qrUri(request.params.id);
      // Loaded on first use: start-up need not pay for it (most servers draw a QR code now and then).
      const { default: QRCode } = await import('qrcode');
      const png = await QRCode.toBuffer(uri, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 256 });
      return reply
        .header('cache-control', 'no-store')
        .header('pragma', 'no-cache')
        .header('referrer-policy', 'no-referrer')
        .type('image/png')
        .send(png);
    },
  );
};
