/**
 * The account page: sign up, sign in with the second factor, manage factors, passkeys, trusted devices and
 * sessions. Views (web/src/views) and cards (web/src/cards) each mount on their own markup and keep their own
 * state; this module joins them. Every call goes through the typed client of the native API; the session token
 * lives in sessionStorage (this tab only) and nothing secret ever goes into a URL.
 */
import { createClient } from '../../src/client/index.ts';
import { byId, show } from './dom.ts';
import type { AfterSignIn, Page, Policy, ViewName } from './page.ts';
import { warmPasskeys } from './passkey.ts';
import { saveToken, savedToken } from './session.ts';
import { explain, isCode } from './text.ts';
import * as account from './views/account.ts';
import * as secondFactor from './views/second-factor.ts';
import * as signIn from './views/sign-in.ts';
import * as signUp from './views/sign-up.ts';

// The API answers next to the page: `/` here, or under a reverse proxy's prefix.
const client = createClient({ baseUrl: location.pathname.replace(/[^/]*$/, ''), token: savedToken() });
const VIEWS: ViewName[] = ['sign-in', 'sign-up', 'second-factor', 'account'];
const notice = byId('notice');

function go(view: ViewName, message = '', error = false): void {
  for (const name of VIEWS) show(byId(`view-${name}`), name === view);
  show(byId('sign-out'), view === 'account');
  notice.textContent = message;
  notice.classList.toggle('error', error && message !== '');
  document.title = `${byId(`h-${view}`).textContent} · twofold`;
  byId(`h-${view}`).focus();
}

let policy: Promise<Policy> | null = null;

const page: Page = {
  go,
  policy: () =>
    (policy ??= client.policy().catch((error: unknown) => {
      policy = null; // ask again next time
      throw error;
    })),
  async signedIn(message) {
    saveToken(client.token);
    go('account', message);
    await accountView.refresh();
    warmPasskeys();
  },
  signedOut(message) {
    client.setToken(null);
    saveToken(null);
    accountView.clear();
    secondStep.clear();
    go('sign-in', message);
  },
};

const accountView = account.mount(byId('view-account'), client, page, byId('who'));
const secondStep = secondFactor.mount(byId('view-second-factor'), client, page);
const next: AfterSignIn = (answer, login, message) => ('token' in answer ? page.signedIn(message) : secondStep.start(answer, login));
signIn.mount(byId('view-sign-in'), client, page, next);
signUp.mount(byId('view-sign-up'), client, page, next);

for (const link of document.querySelectorAll<HTMLButtonElement>('[data-go]')) link.addEventListener('click', () => go(link.dataset.go as ViewName));

byId('sign-out').addEventListener('click', async () => {
  await client.signOut().catch(() => {});
  page.signedOut('You are signed out.');
});

async function start(): Promise<void> {
  // A verification link may point here as `#verify=<token>`: the fragment never reaches a server, and
  // it leaves the address bar and the history before anything else happens.
  const verify = /^#verify=([^&]+)/.exec(location.hash);
  let message = '';
  let failed = false;
  if (verify) {
    history.replaceState(null, '', location.pathname);
    try {
      await client.verifyEmail(decodeURIComponent(verify[1]!));
      message = 'Your email address is verified.';
    } catch (error) {
      [message, failed] = [explain(error), true];
    }
  }
  if (client.token) {
    try {
      await page.signedIn(message);
      return;
    } catch (error) {
      if (!isCode(error, 'not_authenticated', 'session_expired')) return go('account', explain(error), true);
      client.setToken(null);
      saveToken(null);
    }
  }
  go('sign-in', message, failed);
}

void start();
