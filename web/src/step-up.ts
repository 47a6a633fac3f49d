/**
 * "Confirm it is you": the one panel every card uses when an operation needs a fresh proof. The server says
 * what it wants in a 401 `second_factor_required` (`details.method` and `availableMethods`): a code from the
 * authenticator app (or a backup code), an emailed code, a passkey, or, from a user with no second factor,
 * the password. The panel moves into the card that asks, so its messages and focus stay there.
 */
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import { TwofoldClientError, type Proof } from '../../src/client/index.ts';
import { onClick, onSubmit } from './action.ts';
import { filled, say, show, within } from './dom.ts';
import type { Page, Policy } from './page.ts';
import { passkey } from './passkey.ts';
import { duration } from './text.ts';

/** The proofs typed into the panel's field. */
type Typed = 'totp' | 'email' | 'password';

/** What the server asked for: the `details` of its `second_factor_required` answer. */
export interface Challenge {
  method: string;
  availableMethods: string[];
  /** For email: a code was just mailed, or one mailed a moment ago is still good. */
  mailed?: 'now' | 'before';
  /** For a passkey: the options to answer (single use). */
  webauthn?: PublicKeyCredentialRequestOptionsJSON;
}

export interface StepUpRequest<T> {
  /** What the proof is for, e.g. "To remove “Phone”, confirm it is you." */
  hint: string;
  /** The field's label per method, where the card says it better than the panel. */
  labels?: Partial<Record<Typed, string>>;
  /** The submit button's text, and whether the operation takes something away. */
  submit?: string;
  danger?: boolean;
  /** The operation, with a proof (an empty one first). */
  run(proof: Proof): Promise<T>;
  /** What follows success; the panel is closed by then. */
  done(result: T): Promise<void> | void;
}

export interface StepUp {
  /** Runs the operation; when the server wants a proof first, asks for it in `card` and runs it again with it. */
  guard<T>(card: HTMLElement, request: StepUpRequest<T>): Promise<void>;
  close(): void;
}

const LABELS: Record<Typed, string> = {
  totp: 'Code from your authenticator app (or a backup code)',
  email: 'Code from the email (press “Email me a code” first)',
  password: 'Your password',
};

/** The challenge a failure carries, when the failure is "prove it first". */
export function challengeIn(error: unknown): Challenge | null {
  if (!(error instanceof TwofoldClientError) || error.code !== 'second_factor_required') return null;
  const { method, availableMethods, codeGenerated, codeCount, webauthn } = error.details;
  const options = webauthn as PublicKeyCredentialRequestOptionsJSON | undefined;
  return {
    method: String(method),
    availableMethods: Array.isArray(availableMethods) ? availableMethods.map(String) : [],
    ...(method === 'email' ? { mailed: codeGenerated === false && typeof codeCount === 'number' ? 'before' : 'now' } : {}),
    ...(options?.challenge ? { webauthn: options } : {}),
  };
}

export function mount(root: HTMLElement, page: Page): StepUp {
  const $ = within(root);
  const field = $<HTMLInputElement>('step-up-code');
  const radio = (m: 'totp' | 'email') => $<HTMLInputElement>(`step-up-m-${m}`);
  /** The operation waiting for its proof, the method chosen, and passkey options not used yet. */
  let current: null | { request: StepUpRequest<unknown>; policy: Policy; method: Typed; options?: PublicKeyCredentialRequestOptionsJSON } = null;

  const card = () => root.closest<HTMLElement>('.card') ?? root;

  function close(): void {
    current = null;
    field.value = '';
    show(root, false);
  }

  async function open(host: HTMLElement, request: StepUpRequest<unknown>, challenge: Challenge): Promise<void> {
    const policy = await page.policy();
    const offered = challenge.availableMethods.length > 0 ? challenge.availableMethods : [challenge.method];
    const typed: Typed[] = challenge.method === 'password' ? ['password'] : (['totp', 'email'] as const).filter((m) => offered.includes(m));
    const withPasskey = offered.includes('webauthn');
    const method = typed.find((m) => m === challenge.method) ?? typed[0] ?? 'totp';
    current = { request, policy, method, ...(challenge.webauthn ? { options: challenge.webauthn } : {}) };
    host.insertBefore(root, host.querySelector(':scope > .msg'));
    $('step-up-hint').textContent = request.hint;
    show($('step-up-passkey'), withPasskey);
    show($('step-up-form'), typed.length > 0);
    show($('step-up-methods'), typed.length > 1);
    $('step-up-methods').querySelector('legend')!.textContent = withPasskey ? 'Or confirm with' : 'Confirm with';
    for (const m of ['totp', 'email'] as const) show(radio(m).parentElement!, typed.includes(m));
    $('step-up-submit').className = request.danger ? 'danger' : 'primary';
    const windowLine = $('step-up-window');
    windowLine.textContent = `Confirming also lets this session change its sign-in methods for the next ${duration(policy.stepUpWindowSeconds)} without asking again.`;
    show(windowLine, policy.stepUpWindowSeconds > 0);
    show(root, true);
    choose(method, challenge.mailed);
    if (challenge.mailed) say(host, mailedText(challenge.mailed, policy));
    $('h-step-up').focus();
  }

  const mailedText = (mailed: 'now' | 'before', policy: Policy) =>
    mailed === 'before'
      ? 'The code we emailed you a moment ago is still valid: enter it.'
      : `A code is on its way to your email address; it is valid for ${duration(policy.emailCodeTtlSeconds)}.`;

  function choose(method: Typed, mailed?: 'now' | 'before'): void {
    if (!current) return;
    current.method = method;
    if (method !== 'password') radio(method).checked = true;
    const { labels } = current.request;
    $('step-up-code-label').textContent =
      method === 'email' && !mailed ? LABELS.email : (labels?.[method] ?? (method === 'email' ? 'Code from the email we just sent' : LABELS[method]));
    $('step-up-submit').textContent = current.request.submit ?? (method === 'password' ? 'Confirm with the password' : 'Confirm with the code');
    show($('step-up-send'), method === 'email');
    const password = method === 'password';
    field.value = '';
    field.type = password ? 'password' : 'text';
    field.autocomplete = password ? 'current-password' : 'one-time-code';
    field.autocapitalize = password ? 'none' : 'characters';
    field.maxLength = password ? current.policy.passwordMaxLength : 20;
    field.inputMode = method === 'email' ? 'numeric' : 'text';
  }

  /** Runs the operation with a proof: success closes the panel; "prove it first" returns the new challenge. */
  async function attempt(proof: Proof): Promise<Challenge | null> {
    const request = current?.request;
    if (!request) return null;
    let result: unknown;
    try {
      result = await request.run(proof);
    } catch (error) {
      const challenge = challengeIn(error);
      if (!challenge) throw error;
      return challenge;
    }
    close();
    await request.done(result);
    return null;
  }

  /** A proof that answers the challenge: asked again means the server did not take it. */
  async function finish(proof: Proof): Promise<void> {
    if (await attempt(proof)) throw new Error('This could not be confirmed. Reload the page and try again.');
  }

  onClick(page, $<HTMLButtonElement>('step-up-passkey'), async () => {
    if (!current) return;
    let options = current.options;
    delete current.options; // a challenge answers once
    if (!options) {
      const challenge = await attempt({ method: 'webauthn' });
      if (!challenge) return;
      options = challenge.webauthn;
    }
    if (!options) throw new Error('The server did not offer a passkey check for this. Confirm with a code instead.');
    const optionsJSON = options;
    await finish({ method: 'webauthn', webauthn: await passkey((webauthn) => webauthn.authenticate(optionsJSON)) });
  });

  onClick(page, $<HTMLButtonElement>('step-up-send'), async () => {
    const asked = current;
    if (!asked) return;
    const challenge = await attempt({ method: 'email' });
    if (!challenge) return;
    choose('email', challenge.mailed ?? 'now');
    say(card(), mailedText(challenge.mailed ?? 'now', asked.policy));
    field.focus();
  });

  onSubmit(page, $<HTMLFormElement>('step-up-form'), async () => {
    if (!current) return;
    const { method } = current;
    // A password is sent as typed; a code may come with spaces around it.
    const code = method === 'password' ? field.value : filled(field, 'Enter the code.');
    if (!code) throw new Error('Enter your password.');
    await finish({ method, code });
  });

  for (const m of ['totp', 'email'] as const) radio(m).addEventListener('change', () => choose(m));

  $('step-up-cancel').addEventListener('click', () => {
    const host = card();
    close();
    say(host, '');
    host.querySelector<HTMLElement>('h2')?.focus();
  });

  return {
    async guard(host, request) {
      close();
      let result;
      try {
        result = await request.run({});
      } catch (error) {
        const challenge = challengeIn(error);
        if (!challenge) throw error;
        return open(host, request, challenge);
      }
      await request.done(result);
    },
    close,
  };
}
