/** URLs this server hands out, built from PUBLIC_URL: the core deals in ids, façades in URLs. */
export interface Links {
  qrImage(qrId: string): string;
  /** PUBLIC_URL is https: cookies are Secure even when TLS ends at a proxy we do not trust for headers. */
  publicHttps: boolean;
}

export const QR_ROUTE = '/qr/:id.png';

export function createLinks(publicUrl: string): Links {
  return { qrImage: (qrId) => `${publicUrl}/qr/${qrId}.png`, publicHttps: publicUrl.startsWith('https:') };
}
