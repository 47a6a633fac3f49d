import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { TwofoldError } from '../core/errors.ts';

export interface MailMessage {
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** A code or link; written to the dev log line only when allowed. */
  devSecret?: string;
}

export interface Mailer {
  /** Hands the message over (SMTP server or outbox file). Throws `TwofoldError('mail_delivery_failed')`. */
  send(message: MailMessage): Promise<{ messageId: string }>;
  /** Checks that mail can be handed over at all. Throws `TwofoldError('mail_delivery_failed')`. */
  verify(): Promise<void>;
  close(): Promise<void>;
}

export interface MailerOptions {
  /** `smtp://user:pass@host:587`, `smtps://…`; query options (`?pool=true&connectionTimeout=5000`) are nodemailer's. */
  smtpUrl?: string;
  from: string;
  /** Where `.eml` files go when there is no `smtpUrl`. */
  outboxDir: string;
  logger: Logger;
  /** Development only: put the code or link of the development outbox mails in the log line. */
  logSecrets: boolean;
}

/**
 * Timeouts so that a dead or silent mail server fails a request within seconds instead of holding it
 * for minutes (nodemailer's defaults). The URL's query options override them.
 */
export const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 10_000 } as const;

/** SMTP when `smtpUrl` is set, otherwise the development outbox. Message bodies (they hold secrets) are never logged. */
export function createMailer(options: MailerOptions): Mailer {
  return options.smtpUrl ? createSmtpMailer(options, options.smtpUrl) : createOutboxMailer(options);
}

/**
 * A nodemailer transport made with the first mail, not at start: loading nodemailer costs a start about 0.1 s
 * (docs/benchmarks.md, benchmark 7), and many processes (a restart, the CLI) never send one.
 */
function lazyTransport(options: Record<string, unknown>) {
  let made: Promise<Transporter> | undefined;
  return {
    get: () => (made ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(options) as Transporter)),
    async close() {
      if (made) (await made).close();
    },
  };
}

function createSmtpMailer(options: MailerOptions, smtpUrl: string): Mailer {
  const { logger, from } = options;
  const transport = lazyTransport({ url: smtpUrl, ...SMTP_TIMEOUTS });
  return {
    async send(message) {
      checkRecipients(message, logger);
      try {
        const info = await (await transport.get()).sendMail({ from, to: message.to, subject: message.subject, text: message.text, html: message.html });
        const rejected = (info.rejected ?? []).map(String);
        if (rejected.length > 0) logger.warn({ to: message.to, subject: message.subject, rejected }, 'mail server refused some recipients');
        return { messageId: info.messageId };
      } catch (error) {
        throw deliveryFailed(logger, error, message);
      }
    },
    async verify() {
      try {
        await (await transport.get()).verify();
      } catch (error) {
        throw deliveryFailed(logger, error);
      }
    },
    close: () => transport.close(),
  };
}

/**
 * Development without a mail server: each mail becomes an `.eml` file (open it in any mail client)
 * and one log line says where it is.
 */
function createOutboxMailer(options: MailerOptions): Mailer {
  const { logger, from, outboxDir } = options;
  // nodemailer still builds the message, so the file is exactly what SMTP would have carried.
  const composer = lazyTransport({ streamTransport: true, buffer: true });
  const ensureDir = async () => {
    await mkdir(outboxDir, { recursive: true, mode: 0o700 });
    await access(outboxDir, constants.W_OK);
  };
  return {
    async send(message) {
      checkRecipients(message, logger);
      try {
        const info = await (await composer.get()).sendMail({ from, to: message.to, subject: message.subject, text: message.text, html: message.html });
        await ensureDir();
        const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`;
        const file = join(outboxDir, name);
        await writeFile(file, info.message as Buffer, { mode: 0o600, flag: 'wx' });
        logger.info(
          { to: message.to, subject: message.subject, file, ...(options.logSecrets && message.devSecret !== undefined ? { devSecret: message.devSecret } : {}) },
          'mail written to the development outbox (no SMTP_URL set)',
        );
        return { messageId: info.messageId };
      } catch (error) {
        throw deliveryFailed(logger, error, message);
      }
    },
    async verify() {
      try {
        await ensureDir();
      } catch (error) {
        throw deliveryFailed(logger, error);
      }
    },
    close: () => composer.close(),
  };
}

function checkRecipients(message: MailMessage, logger: Logger): void {
  if (message.to.length === 0) throw deliveryFailed(logger, new Error('no recipients'), message);
}

/**
 * Logs why, without the body or the error object itself: nodemailer errors can carry the SMTP
 * command (`AUTH PLAIN <credentials>`) and the server's reply.
 */
function deliveryFailed(logger: Logger, error: unknown, message?: MailMessage): TwofoldError {
  const reason = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  logger.warn(
    { ...(message ? { to: message.to, subject: message.subject } : {}), reason, ...(typeof code === 'string' ? { errorCode: code } : {}) },
    message ? 'mail delivery failed' : 'mail transport check failed',
  );
  return new TwofoldError('mail_delivery_failed');
}
