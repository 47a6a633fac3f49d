import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SmtpSink {
  url: string;
  mails: ParsedMail[];
  /** Resolves with the newest mail to `to` that arrives after `since` (a count of mails seen). */
  nextMailTo(to: string, since: number, timeoutMs?: number, subject?: RegExp): Promise<ParsedMail>;
  /** The 6-digit code of a mail, as the user would read it (`123-456`). */
  codeOf(mail: ParsedMail): string;
  close(): Promise<void>;
}

/** A real SMTP server on 127.0.0.1 that keeps every mail it is handed: the test's inbox. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const mails: ParsedMail[] = [];
  const waiters = new Set<() => void>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, done) {
      simpleParser(stream).then(
        (mail) => {
          mails.push(mail);
          for (const wake of waiters) wake();
          done();
        },
        (error: Error) => done(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  const addressedTo = (mail: ParsedMail, to: string) =>
    (Array.isArray(mail.to) ? mail.to : [mail.to]).some((a) => a?.value.some((v) => v.address?.toLowerCase() === to.toLowerCase()));

  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    nextMailTo(to, since, timeoutMs = 5000, subject) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = mails
            .slice(since)
            .reverse()
            .find((m) => addressedTo(m, to) && (!subject || subject.test(m.subject ?? '')));
          if (!found) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no mail to ${to} within ${timeoutMs} ms`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    codeOf(mail) {
      const match = /\b(\d{3})-(\d{3})\b/.exec(mail.text ?? '');
      if (!match) throw new Error('no code in the mail');
      return `${match[1]}-${match[2]}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
