import { simpleParser } from 'mailparser';
import type { ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  parsed: ParsedMail;
  messageId: string;
  subject: string;
  text: string;
  html: string;
  header(name: string): string | null;
}

// A real SMTP server for the tests (smtp-server), on 127.0.0.1 and a port of
// its own; every message is parsed by mailparser. It can refuse addresses
// for good (550) or for now (451), and be stopped and started again on the
// same port.
export class SmtpSink {
  readonly messages: ReceivedMail[] = [];
  readonly refused = new Set<string>();
  // Addresses the server defers for now (451), as a busy or greylisting one does.
  readonly deferred = new Set<string>();
  private server: SMTPServer | null = null;
  port = 0;
  private waiters: (() => void)[] = [];
  // While held, each message is received (and counted) but not answered: a
  // sender that dies then does not know the message arrived.
  private held: (() => void)[] | null = null;
  heldCount = 0;

  hold(): void {
    this.held = [];
  }

  release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const answer of held) answer();
  }

  async start(): Promise<this> {
    const server = new SMTPServer({
      authOptional: true,
      // Stopping ends open (pooled) connections at once, as a server going down does.
      closeTimeout: 50,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo: (address, _session, callback) => {
        if (this.refused.has(address.address.toLowerCase())) {
          const error = Object.assign(new Error('No such mailbox here'), { responseCode: 550 });
          return callback(error);
        }
        if (this.deferred.has(address.address.toLowerCase())) {
          const error = Object.assign(new Error('Try again later'), { responseCode: 451 });
          return callback(error);
        }
        callback();
      },
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            this.messages.push(
              received(
                parsed,
                session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
              ),
            );
            for (const wake of this.waiters.splice(0)) wake();
            if (this.held) {
              this.heldCount += 1;
              this.held.push(() => callback());
            } else callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    server.on('error', () => undefined);
    this.port = (server.server.address() as { port: number }).port;
    this.server = server;
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  to(address: string): ReceivedMail[] {
    return this.messages.filter((m) => m.to.includes(address.toLowerCase()));
  }

  // Resolves when `count` messages to the address have arrived (the test's
  // own timeout bounds the wait).
  async waitFor(address: string, count = 1): Promise<ReceivedMail[]> {
    while (this.to(address).length < count) {
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200).unref();
      });
    }
    return this.to(address);
  }
}

function received(parsed: ParsedMail, to: string[]): ReceivedMail {
  return {
    to,
    parsed,
    messageId: parsed.messageId ?? '',
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : '',
    header(name: string) {
      const value = parsed.headerLines.find((h) => h.key === name.toLowerCase());
      return value ? value.line.slice(value.line.indexOf(':') + 1).trim() : null;
    },
  };
}

// The token in a link of the message (…#token=… or …?token=…).
export function linkToken(mail: ReceivedMail, path: string): string {
  const match = new RegExp(`${path.replace(/[/]/g, '\\/')}[#?]token=([A-Za-z0-9_.-]+)`).exec(mail.text);
  if (!match) throw new Error(`no ${path} link in: ${mail.text}`);
  return match[1];
}
