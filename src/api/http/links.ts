/** URLs this server hands out, built from PUBLIC_URL: the core deals in ids, façades in URLs. */
export interface Links {
  qrImage(qrId: string): string;
}

export const QR_ROUTE = '/qr/:id.png';

export function createLinks(publicUrl: string): Links {
  return { qrImage: (qrId) => `${publicUrl}/qr/${qrId}.png` };
}
