/** The contract between the account view and its cards. */
import type { PendingFactorChange, Session, Success, TwofoldClient, User } from '../../../src/client/index.ts';
import type { Page } from '../page.ts';
import type { Confirm } from '../confirm.ts';
import type { StepUp } from '../step-up.ts';

/** Everything the account view loads at once; each card shows its part. */
export interface AccountData {
  user: User;
  /** The enforcement policy wants a second factor of this account (cards/setup-banner.ts). */
  setupRequired: Success<'/v1/me', 'get'>['setupRequired'];
  /** Factor changes the veto window holds, soonest first (cards/pending-changes.ts). */
  pendingFactorChanges: PendingFactorChange[];
  totp: Success<'/v1/me/totp', 'get'>;
  sessions: Session[];
  events: Success<'/v1/me/events', 'get'>['events'];
  credentials: Success<'/v1/me/webauthn/credentials', 'get'>['credentials'];
  devices: Success<'/v1/me/devices', 'get'>['devices'];
}

/** What a card gets besides its root element and the client. */
export interface CardContext {
  page: Page;
  /** The one "confirm it is you" panel: every action that may need a proof goes through it. */
  stepUp: StepUp;
  /** The one "are you sure?" panel, for actions that end sessions or forget devices. */
  confirm: Confirm;
  /** Loads the account again and shows it in every card (a change often touches several). */
  refresh(): Promise<void>;
}

export interface Card {
  show(data: AccountData): void;
  /** Forgets everything shown (on sign-out). */
  clear(): void;
}

export type MountCard = (root: HTMLElement, client: TwofoldClient, context: CardContext) => Card;
