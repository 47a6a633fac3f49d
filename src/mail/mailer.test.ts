import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isTwofoldError } from '../core/errors.ts';
import { createMailer, createMailNotifier, type Mailer } from './index.ts';
import { capturingLogger } from './test-helpers.ts';

const ctx = { productName: 'Acme' };
const from = 'Acme <no-reply@acme.test>';
const expiresAt = new Date('2030-01-01T12:00:00Z');
const addresses = (value: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(value) ? value : value ? [value] : []).flatMap((group) => group.value.map((entry) => entry.address));

const tempDirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'twofold-mail-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true }))));

describe('development outbox (no SMTP URL)', () => {
  const link = 'http://localhost:8080/v1/email-verification/confirm?token=SECRET-TOKEN-123';

  async function sendVerifyEmail(logSecrets: boolean) {
    const outboxDir = join(await tempDir(), 'outbox');
    const { logger, records, lines } = capturingLogger();
    const notifier = createMailNotifier(createMailer({ from, outboxDir, logger, logSecrets }), ctx);
    await notifier.send({ kind: 'verify-email', to: 'jack@example.test', link, expiresAt });
    return { outboxDir, records: records(), lines };
  }

  it('writes each mail as one .eml file that any mail client (here mailparser) can read', async () => {
    const { outboxDir } = await sendVerifyEmail(false);

    const files = await readdir(outboxDir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z-[0-9a-f]{8}\.eml$/);
    const mail = await simpleParser(await readFile(join(outboxDir, files[0]!)));
    expect(mail.from?.value[0]?.address).toBe('no-reply@acme.test');
    expect(addresses(mail.to)).toEqual(['jack@example.test']);
    expect(mail.subject).toBe('Confirm your email address for Acme');
    expect(mail.text).toContain(link);
    expect(mail.html).toContain(`href="${link}"`);
  });

  it('keeps the outbox private: directory 0700, files 0600', async () => {
    const { outboxDir } = await sendVerifyEmail(false);
    const [file] = await readdir(outboxDir);
    expect((await stat(outboxDir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(outboxDir, file!))).mode & 0o777).toBe(0o600);
  });

  it('logs one info line naming the file, with the link only when logSecrets is on', async () => {
    const { outboxDir, records } = await sendVerifyEmail(true);
    const [file] = await readdir(outboxDir);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ level: 30, to: ['jack@example.test'], subject: 'Confirm your email address for Acme', file: join(outboxDir, file!), devSecret: link });
  });

  it('never logs the link (or anything of the body) when logSecrets is off', async () => {
    const { records, lines } = await sendVerifyEmail(false);
    expect(records).toHaveLength(1);
    expect(records[0]).toHaveProperty('file');
    expect(records[0]).not.toHaveProperty('devSecret');
    expect(lines.join('')).not.toContain('SECRET-TOKEN-123');
    expect(lines.join('')).not.toContain('works until');
  });

  it('verify() creates the directory, and fails with mail_delivery_failed when it cannot be written', async () => {
    const base = await tempDir();
    const { logger } = capturingLogger();
    await createMailer({ from, outboxDir: join(base, 'a', 'b'), logger, logSecrets: false }).verify();
    expect((await stat(join(base, 'a', 'b'))).isDirectory()).toBe(true);

    await writeFile(join(base, 'not-a-dir'), '');
    const broken = createMailer({ from, outboxDir: join(base, 'not-a-dir', 'outbox'), logger, logSecrets: false });
    await expect(broken.verify()).rejects.toMatchObject({ code: 'mail_delivery_failed' });
    await expect(broken.send({ to: ['x@example.test'], subject: 's', text: 't', html: 'h' })).rejects.toMatchObject({ code: 'mail_delivery_failed' });
  });
});

describe('SMTP delivery', () => {
  const received: { rcptTo: string[]; raw: Buffer }[] = [];
  let sink: SMTPServer;
  let port: number;
  let mailer: Mailer | undefined;

  beforeAll(async () => {
    // A real SMTP server in the test process that keeps whatever it is given.
    sink = new SMTPServer({
      secure: false,
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, done) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          received.push({ rcptTo: session.envelope.rcptTo.map((rcpt) => rcpt.address), raw: Buffer.concat(chunks) });
          done();
        });
      },
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    port = (sink.server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    await mailer?.close();
    mailer = undefined;
  });
  afterAll(() => new Promise<void>((resolve) => sink.close(() => resolve())));

  it('delivers an email code to every address; the code reads as 123-456', async () => {
    const { logger, lines } = capturingLogger();
    mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, from, outboxDir: '/nonexistent', logger, logSecrets: true });
    await mailer.verify();
    await createMailNotifier(mailer, ctx).send({ kind: 'email-code', to: ['ann@example.test', 'bob@example.test'], code: '042917', expiresAt });

    expect(received).toHaveLength(1);
    expect(received[0]!.rcptTo).toEqual(['ann@example.test', 'bob@example.test']);
    const mail = await simpleParser(received[0]!.raw);
    expect(addresses(mail.to)).toEqual(['ann@example.test', 'bob@example.test']);
    expect(mail.subject).toBe('Your Acme sign-in code');
    expect(mail.text).toMatch(/\b042-917\b/);
    expect(mail.html).toMatch(/>042-917</);
    // SMTP never writes the code to the log, whatever logSecrets says.
    expect(lines.join('')).not.toMatch(/042-?917/);
  });
});

describe('delivery failures', () => {
  async function closedPort(): Promise<number> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    return port;
  }

  async function expectFastFailure(smtpUrl: string) {
    const { logger, lines, records } = capturingLogger();
    const mailer = createMailer({ smtpUrl, from, outboxDir: '/nonexistent', logger, logSecrets: true });
    const started = Date.now();
    const error = await createMailNotifier(mailer, ctx)
      .send({ kind: 'email-code', to: ['ann@example.test'], code: '12345678', expiresAt })
      .catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    await mailer.close();

    expect(isTwofoldError(error) && error.code).toBe('mail_delivery_failed');
    expect(elapsed).toBeLessThan(2_000);
    expect(records()).toEqual([expect.objectContaining({ level: 40, to: ['ann@example.test'], subject: 'Your Acme sign-in code', reason: expect.any(String) })]);
    expect(lines.join('')).not.toMatch(/1234-?5678/);
    return records()[0]!;
  }

  it('a closed port fails at once with mail_delivery_failed; the warning has the reason but no code', async () => {
    const record = await expectFastFailure(`smtp://127.0.0.1:${await closedPort()}`);
    expect(record.reason).toMatch(/ECONNREFUSED/);
  });

  it('a server that accepts but never speaks fails after the greeting timeout (set here through the URL)', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => void sockets.push(socket));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      const { port } = silent.address() as AddressInfo;
      const record = await expectFastFailure(`smtp://127.0.0.1:${port}?greetingTimeout=300`);
      expect(record).toMatchObject({ reason: 'Greeting never received', errorCode: 'ETIMEDOUT' });
    } finally {
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('verify() reports an unreachable server as mail_delivery_failed too', async () => {
    const { logger } = capturingLogger();
    const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${await closedPort()}`, from, outboxDir: '/nonexistent', logger, logSecrets: false });
    await expect(mailer.verify()).rejects.toMatchObject({ code: 'mail_delivery_failed' });
    await mailer.close();
  });

  it('a message without recipients is refused before anything is sent', async () => {
    const { logger } = capturingLogger();
    const mailer = createMailer({ from, outboxDir: await tempDir(), logger, logSecrets: false });
    await expect(mailer.send({ to: [], subject: 's', text: 't', html: 'h' })).rejects.toMatchObject({ code: 'mail_delivery_failed' });
  });
});
