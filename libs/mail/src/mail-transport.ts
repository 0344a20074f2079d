import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { APP_CONFIG, mailMode } from '@rejoinder/common';
import type { AppConfig } from '@rejoinder/common';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  headers: Record<string, string>;
}

// A failed send: `permanent` when the server refused the address itself
// (a 5xx answer to RCPT TO), so trying again would not help.
export class MailSendError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'MailSendError';
  }
}

interface SmtpError {
  responseCode?: number;
  command?: string;
  code?: string;
  rejected?: unknown[];
}

// nodemailer over SMTP (a pool of connections), or, in development without
// SMTP_URL, .eml files under DATA_DIR/mail so the whole flow can be followed
// with no server to install.
@Injectable()
export class MailTransport implements OnApplicationShutdown {
  private readonly logger = new Logger('Mail');
  readonly mode: 'smtp' | 'files' | 'off';
  private readonly transporter: Transporter | null;
  private readonly directory: string;
  readonly from: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.mode = mailMode(config);
    this.from = config.MAIL_FROM;
    this.directory = resolve(config.DATA_DIR, 'mail');
    if (this.mode === 'smtp') {
      const url = new URL(config.SMTP_URL!);
      this.transporter = nodemailer.createTransport({
        host: url.hostname,
        port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
        secure: url.protocol === 'smtps:',
        pool: true,
        maxConnections: 5,
        maxMessages: Infinity,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
        auth:
          config.SMTP_USER || url.username
            ? {
                user: config.SMTP_USER ?? decodeURIComponent(url.username),
                pass: config.SMTP_PASSWORD ?? decodeURIComponent(url.password),
              }
            : undefined,
        // A plain smtp:// server on this machine (Mailpit, tests) offers no TLS.
        ignoreTLS: url.protocol === 'smtp:' && url.searchParams.get('starttls') === 'false',
        tls: { rejectUnauthorized: url.searchParams.get('tls_reject_unauthorized') !== 'false' },
      });
    } else {
      this.transporter =
        this.mode === 'files' ? nodemailer.createTransport({ streamTransport: true, buffer: true }) : null;
    }
  }

  describe(): string {
    switch (this.mode) {
      case 'smtp':
        return 'Mail goes out through SMTP_URL';
      case 'files':
        return `No SMTP_URL: mail is written as .eml files under ${this.directory}`;
      case 'off':
        return 'No SMTP_URL: mail is off (nothing is sent; mail owed stays queued)';
    }
  }

  async send(mail: OutgoingMail): Promise<void> {
    if (!this.transporter) throw new MailSendError('Mail is off', false);
    const message = {
      from: this.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
      headers: mail.headers,
    };
    if (this.mode === 'files') {
      const info = (await this.transporter.sendMail(message)) as { message: Buffer };
      await mkdir(this.directory, { recursive: true, mode: 0o700 });
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${mail.messageId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 24)}.eml`;
      const path = join(this.directory, name);
      await writeFile(path, info.message, { mode: 0o600 });
      this.logger.log({ path, to: mail.to, subject: mail.subject }, 'Mail written');
      return;
    }
    try {
      await this.transporter.sendMail(message);
    } catch (error) {
      const e = error as SmtpError & Error;
      const permanent =
        e.responseCode !== undefined && e.responseCode >= 500 && e.responseCode < 600 && e.command === 'RCPT TO';
      throw new MailSendError(e.message ?? String(error), permanent);
    }
  }

  onApplicationShutdown(): void {
    this.transporter?.close();
  }
}
