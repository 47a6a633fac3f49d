/** Who the keys are registered with: the relying party id (a domain) and the origins allowed to use them. */
export interface RelyingParty {
  id: string;
  name: string;
  origins: string[];
  /** How long a challenge may be answered (the browser's timeout, and the server's). */
  challengeTtlSeconds: number;
}
