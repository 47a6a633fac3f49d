/**
 * The authenticator app: set it up (QR code or key, then a first code), its backup codes (shown once, to
 * copy, download or print), and turning it off or making new backup codes, both confirmed with a code from it.
 */
import type { TwofoldClient } from '../../../src/client/index.ts';
import { onClick, onSubmit } from '../action.ts';
import { copyText, download, el, filled, say, show, within } from '../dom.ts';
import type { StepUpRequest } from '../step-up.ts';
import { ENDS_OTHER_SESSIONS, groupsOfFour, heldText } from '../text.ts';
import type { Card, CardContext } from './card.ts';

/** The QR image is ours: load it from this origin, whatever host PUBLIC_URL names. */
function localQr(qrUrl: string): string {
  const path = /\/qr\/[^/?#]+\.png$/.exec(new URL(qrUrl, location.href).pathname);
  return path ? `.${path[0]}` : qrUrl;
}

export function mount(root: HTMLElement, client: TwofoldClient, { page, stepUp, confirm, refresh }: CardContext): Card {
  const $ = within(root);
  const enrol = $('totp-enrol');
  const backup = $('backup-panel');
  const qr = $<HTMLImageElement>('totp-qr');
  let enabled = false;
  let email = '';
  let secret = '';
  let backupCodes: string[] = [];

  function buttons(): void {
    const idle = enrol.hidden && backup.hidden;
    show($('totp-start'), idle && !enabled);
    show($('totp-regen'), idle && enabled);
    show($('totp-off'), idle && enabled);
  }

  /** Closes the panels and drops the secret and the codes from the page. */
  function reset(): void {
    secret = '';
    backupCodes = [];
    $('totp-secret').textContent = '';
    qr.removeAttribute('src');
    $('backup-list').replaceChildren();
    show(enrol, false);
    show(backup, false);
    $<HTMLInputElement>('totp-confirm-code').value = '';
    buttons();
  }

  function showBackupCodes(codes: string[]): void {
    reset();
    backupCodes = codes;
    $('backup-list').replaceChildren(
      ...codes.map((code) => {
        const item = el('li');
        item.append(el('code', code));
        return item;
      }),
    );
    show(backup, true);
    buttons();
    $('h-backup').focus();
  }

  onClick(page, $<HTMLButtonElement>('totp-start'), () =>
    stepUp.guard(root, {
      hint: 'To set up an authenticator app, first confirm it is you.',
      run: (proof) => client.totp.enroll(proof),
      done: (enrolment) => {
        secret = enrolment.secret;
        qr.src = localQr(enrolment.qrUrl);
        $('totp-secret').textContent = groupsOfFour(enrolment.secret);
        show(enrol, true);
        buttons();
        $('h-enrol').focus();
      },
    }),
  );

  onClick(page, $<HTMLButtonElement>('totp-secret-copy'), async () => {
    const copied = await copyText(secret, $('totp-secret'));
    say(root, copied ? 'Key copied.' : 'The key is selected: press Ctrl+C (⌘C on a Mac) to copy it.');
  });

  $('totp-enrol-cancel').addEventListener('click', () => {
    reset();
    $('totp-start').focus();
  });

  onSubmit(page, $<HTMLFormElement>('totp-confirm-form'), async () => {
    const code = filled($<HTMLInputElement>('totp-confirm-code'), 'Enter the code from the app.');
    const { backupCodes: codes, pendingUntil } = await client.totp.confirm(code);
    showBackupCodes(codes);
    await refresh();
    // Under the veto window a new app (or a replacement) waits; its backup codes come with it.
    say(root, pendingUntil ? heldText('The new authenticator app and these backup codes', pendingUntil) : 'Your authenticator app is on.');
  });

  onClick(page, $<HTMLButtonElement>('backup-copy'), async () => {
    const copied = await copyText(backupCodes.join('\n'), $('backup-list'));
    say(root, copied ? 'Backup codes copied.' : 'The codes are selected: press Ctrl+C (⌘C on a Mac) to copy them.');
  });

  onClick(page, $<HTMLButtonElement>('backup-download'), () => {
    download(`twofold backup codes for ${email}\nMade ${new Date().toISOString()}. Each code works once.\n\n${backupCodes.join('\n')}\n`, 'twofold-backup-codes.txt');
    say(root, 'Backup codes downloaded as twofold-backup-codes.txt.');
  });

  // Paper is what many people keep such codes on: the print shows this panel alone (style.css, `printing-codes`).
  onClick(page, $<HTMLButtonElement>('backup-print'), () => {
    $('backup-print-note').textContent = `twofold backup codes for ${email}, made ${new Date().toLocaleString()}. Each code works once.`;
    document.body.classList.add('printing-codes');
    addEventListener('afterprint', () => document.body.classList.remove('printing-codes'), { once: true });
    print();
  });

  $('backup-done').addEventListener('click', () => {
    reset();
    say(root, '');
    $('h-totp').focus();
  });

  /** These change the factor: the server asks for a proof unless this session gave one within the step-up window. */
  const guarded = <T>(id: string, request: StepUpRequest<T>) => onClick(page, $<HTMLButtonElement>(id), () => stepUp.guard(root, request));

  $('totp-off').addEventListener('click', () =>
    confirm.ask(root, {
      heading: 'Turn off the authenticator app?',
      text: `Signing in then no longer asks for a code from it, and your backup codes stop working. ${ENDS_OTHER_SESSIONS}`,
      button: 'Turn off the app',
      go: () => stepUp.guard(root, turnOff),
    }),
  );

  const turnOff: StepUpRequest<{ pendingUntil: string } | null> = {
    hint: 'The 6 digits from the app, or one of your backup codes.',
    labels: { totp: 'To turn the app off, enter a code from it' },
    submit: 'Turn off',
    danger: true,
    run: (proof) => client.totp.disable(proof),
    done: async (held) => {
      reset();
      await refresh();
      say(root, held ? heldText('Turning off the authenticator app', held.pendingUntil) : 'Your authenticator app is off. Your other sessions were signed out and trusted devices forgotten.');
      $('h-totp').focus();
    },
  };

  guarded('totp-regen', {
    hint: 'The 6 digits the app shows now. Your old backup codes stop working.',
    labels: { totp: 'To make new backup codes, enter a code from your app' },
    submit: 'Make new backup codes',
    run: (proof) => client.totp.regenerateBackupCodes(proof),
    done: async ({ backupCodes: codes }) => {
      showBackupCodes(codes);
      await refresh();
      say(root, 'New backup codes are ready; the old ones no longer work.');
    },
  });

  return {
    show({ user, totp }) {
      enabled = totp.enabled;
      email = user.email;
      const left = totp.backupCodesRemaining;
      $('totp-status').textContent = totp.enabled
        ? `On. ${left} backup code${left === 1 ? '' : 's'} left.${left <= 3 ? ' Make new ones soon.' : ''}`
        : 'Off. With an authenticator app, signing in also asks for a code from your phone.';
      buttons();
    },
    clear() {
      reset();
      enabled = false;
      email = '';
      say(root, '');
    },
  };
}
