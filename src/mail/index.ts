export { createMailer, SMTP_TIMEOUTS, type Mailer, type MailerOptions, type MailMessage } from './mailer.ts';
export { createMailNotifier, recipients } from './notifier.ts';
export {
  escapeHtml,
  formatCode,
  formatWhen,
  renderNotice,
  templates,
  type NoticeOf,
  type RenderedMail,
  type Template,
  type TemplateContext,
} from './templates/index.ts';
