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
import * as passwordReset from './views/password-reset.ts';
import * as secondFactor from './views/second-factor.ts';
import * as signIn from './views/sign-in.ts';
import * as signUp from './views/sign-up.ts';
import * as veto from './views/veto.ts';

// The API answers next to the page: `/` here, or under a reverse proxy's prefix.
const client = createClient({ baseUrl: location.pathname.replace(/[^/]*$/, ''), token: savedToken() });
const VIEWS: ViewName[] = ['sign-in', 'sign-up', 'forgot', 'reset', 'veto', 'second-factor', 'account'];
const notice = byId('notice');

function say(message: string, error = false): void {
  notice.textContent = message;
  notice.classList.toggle('error', error && message !== '');
}

function go(view: ViewName, message = '', error = false): void {
  for (const name of VIEWS) show(byId(`view-${name}`), name === view);
  show(byId('sign-out'), view === 'account');
  say(message, error);
  document.title = `${byId(`h-${view}`).textContent} · twofold`;
  byId(`h-${view}`).focus();
}

let policy: Promise<Policy> | null = null;

const page: Page = {
  go,
  notice: say,
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
const forgot = passwordReset.mountForgot(byId('view-forgot'), client, page);
const reset = passwordReset.mountReset(byId('view-reset'), client, page);
const vetoView = veto.mount(byId('view-veto'), client, page, () => void start());
byId('si-forgot').addEventListener('click', () => forgot.start(byId<HTMLInputElement>('si-login').value.trim()));

for (const link of document.querySelectorAll<HTMLButtonElement>('[data-go]')) link.addEventListener('click', () => go(link.dataset.go as ViewName));

byId('sign-out').addEventListener('click', async () => {
  // Offline, the session lives on at the server until it expires: say so rather than claim it ended.
  const ended = await client.signOut().then(
    () => true,
    (error: unknown) => !isCode(error, 'network_error', 'server_busy', 'database_unavailable', 'database_timeout', 'internal'),
  );
  page.signedOut(ended ? 'You are signed out.' : 'This tab forgot your session, but the server could not be told: it stays valid until it expires. Revoke it under “Active sessions” once the server answers.');
});

/**
 * A link from a mail may point here with its token in the fragment, which never reaches a server: `#verify=<token>`
 * (the address), `#reset=<token>` (a new password) or `#veto=<token>` (cancel a factor change). The token leaves the address bar and the history before
 * anything else happens. Null when the address names no link; else the message for the view to show.
 */
async function followLink(): Promise<{ message: string; failed: boolean; done?: true } | null> {
  const link = /^#(verify|reset|veto)=([^&]+)/.exec(location.hash);
  if (!link) return null;
  history.replaceState(null, '', location.pathname);
  const token = decodeURIComponent(link[2]!);
  if (link[1] === 'reset' || link[1] === 'veto') {
    (link[1] === 'reset' ? reset : vetoView).start(token);
    return { message: '', failed: false, done: true };
  }
  try {
    await client.verifyEmail(token);
    return { message: 'Your email address is verified.', failed: false };
  } catch (error) {
    return { message: explain(error), failed: true };
  }
}

async function start(): Promise<void> {
  const { message, failed, done } = (await followLink()) ?? { message: '', failed: false };
  if (done) return;
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

// A link opened in a tab that already shows the page changes only the fragment.
addEventListener('hashchange', () => void followLink().then((followed) => followed && !followed.done && page.notice(followed.message, followed.failed)));

void start();
