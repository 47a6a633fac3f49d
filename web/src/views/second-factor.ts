/**
 * The second step of a sign-in: a passkey, or a code (authenticator app, email, backup code), and whether to
 * remember this browser. The transaction waits in memory only.
 */
import { TwofoldClientError, type Success, type TwofoldClient } from '../../../src/client/index.ts';
import { onClick, onSubmit } from '../action.ts';
import { byId, filled, say, show, within } from '../dom.ts';
import type { Page, SignInAnswer } from '../page.ts';
import { passkey, warmPasskeys } from '../passkey.ts';
import { duration, explain, formatTime, isCode } from '../text.ts';

type Method = 'totp' | 'email' | 'backup_code';
type Finished = Success<'/v1/sessions/second-factor', 'post'>;
const METHODS: Method[] = ['totp', 'email', 'backup_code'];

/**
 * Why this sign-in can go no further, when it cannot: closed, expired or used, out of attempts (the last wrong code
 * says "0 attempts left"), or the account's checks paused. The user goes back to the password step at once rather
 * than type codes no answer could pass.
 */
function endedBy(error: unknown): string | null {
  if (isCode(error, 'transaction_expired', 'transaction_locked', 'transaction_not_found', 'transaction_used', 'account_locked')) return explain(error);
  if (isCode(error, 'code_invalid', 'webauthn_invalid') && (error as TwofoldClientError).details.attemptsLeft === 0) {
    return explain(new TwofoldClientError(403, 'transaction_locked', ''));
  }
  return null;
}

export function mount(root: HTMLElement, client: TwofoldClient, page: Page) {
  const $ = within(root);
  const form = $<HTMLFormElement>('sf-form');
  const code = $<HTMLInputElement>('sf-code');
  const remember = $<HTMLInputElement>('sf-remember');
  const radio = (m: Method) => $<HTMLInputElement>(m === 'backup_code' ? 'sf-m-backup' : `sf-m-${m}`);
  /** The sign-in waiting for its second factor; `codeLife` says how long an emailed code lives. */
  let pending: null | { transactionId: string; methods: string[]; login: string; codeLife: string } = null;
  let method: Method = 'totp';

  function choose(chosen: Method): void {
    method = chosen;
    radio(chosen).checked = true;
    const emailFirst = pending?.methods[0] === 'email';
    const texts: Record<Method, [string, string]> = {
      totp: ['Code from your authenticator app', 'Open your authenticator app and enter the 6-digit code it shows for this account.'],
      email: [
        'Code from the email',
        emailFirst ? `We emailed you a code; it is valid for ${pending?.codeLife}.` : 'Press “Email me a code”, then enter the code from the message.',
      ],
      backup_code: ['Backup code', 'Enter one of the backup codes you saved when you set up the app. Each code works once.'],
    };
    $('sf-code-label').textContent = texts[chosen][0];
    $('sf-hint').textContent = texts[chosen][1];
    show($('sf-send'), chosen === 'email');
    code.value = '';
    code.inputMode = chosen === 'backup_code' ? 'text' : 'numeric';
  }

  for (const m of METHODS) radio(m).addEventListener('change', () => choose(m));

  /** Finishes the sign-in with a code or a passkey; an ended transaction goes back to the sign-in form. */
  async function complete(finish: (transactionId: string, rememberDevice: boolean) => Promise<Finished>): Promise<void> {
    if (!pending) return page.go('sign-in', 'Please sign in again.');
    let answer: Finished;
    try {
      answer = await finish(pending.transactionId, remember.checked);
    } catch (error) {
      const ended = endedBy(error);
      if (!ended) throw error;
      pending = null;
      page.go('sign-in', ended, true);
      return byId('si-password').focus(); // the login is kept: the password is what to type again
    }
    pending = null;
    // The server keeps the device token in an HttpOnly cookie (this page ignores answer.device.token).
    const until = answer.device?.expiresAt;
    await page.signedIn(until ? `You are signed in. This browser is remembered until ${formatTime(until)}.` : 'You are signed in.');
  }

  onSubmit(page, form, async () => {
    const typed = filled(code, 'Enter the code.');
    await complete((transactionId, rememberDevice) => client.completeSecondFactor(transactionId, typed, method === 'email' ? 'email' : undefined, { rememberDevice }));
  });

  onClick(page, $<HTMLButtonElement>('sf-send'), async () => {
    if (!pending) return;
    await client.email2fa.sendCode(pending.login);
    say(form, `A code is on its way to your email address; it is valid for ${pending.codeLife}.`);
    code.focus();
  });

  onClick(page, $<HTMLButtonElement>('sf-webauthn'), () =>
    complete(async (transactionId, rememberDevice) => {
      const optionsJSON = await client.webauthn.loginOptions(transactionId);
      const response = await passkey((webauthn) => webauthn.authenticate(optionsJSON));
      return client.webauthn.completeSignIn(transactionId, response, { rememberDevice });
    }),
  );

  const clear = () => {
    pending = null;
    say(form, '');
  };
  for (const link of root.querySelectorAll('[data-go]')) link.addEventListener('click', clear);

  return {
    clear,
    /** Shows the second step for a sign-in the server answered with a transaction. */
    async start(answer: Extract<SignInAnswer, { transactionId: string }>, login: string): Promise<void> {
      const methods: string[] = answer.methods;
      const codeLife = duration((await page.policy()).emailCodeTtlSeconds);
      pending = { transactionId: answer.transactionId, methods, login, codeLife };
      const offered = METHODS.filter((m) => methods.includes(m));
      const withPasskey = methods.includes('webauthn');
      show($('sf-passkey'), withPasskey);
      show($('sf-or'), offered.length > 0);
      show($('sf-methods'), offered.length > 1);
      for (const m of METHODS) show(radio(m).parentElement!, offered.includes(m));
      // With passkeys only, there is no code to type.
      for (const id of ['sf-hint', 'sf-code-part', 'sf-verify']) show($(id), offered.length > 0);
      remember.checked = false;
      // The server says how long a device is remembered, or that it is not offered at all.
      const days = answer.rememberDeviceDays;
      for (const id of ['sf-remember-choice', 'sf-remember-hint']) show($(id), days > 0);
      $('sf-remember-label').textContent = `Remember this device for ${days} day${days === 1 ? '' : 's'}`;
      if (withPasskey) warmPasskeys();
      page.go('second-factor');
      choose(offered[0] ?? 'totp');
      if (offered.length > 0) code.focus();
      else $('sf-webauthn').focus();
    },
  };
}
