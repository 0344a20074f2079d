import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '@rejoinder/common';
import type { AppConfig } from '@rejoinder/common';
import type { SpamCheck, SpamCheckInput, SpamVerdict } from './spam-check.js';

// Akismet's REST API (https://akismet.com/developers/): comment-check answers
// "true" (spam) or "false" (ham); submit-spam and submit-ham tell it that it
// was wrong. Every call is bounded by AKISMET_TIMEOUT_MS (1 s at most).
@Injectable()
export class AkismetClient implements SpamCheck {
  private readonly logger = new Logger('Akismet');

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async check(input: SpamCheckInput): Promise<SpamVerdict | null> {
    try {
      const res = await this.call('comment-check', input);
      const text = (await res.text()).trim();
      // "discard": blatant spam, which Akismet advises not even to keep.
      if (text === 'true') return 'spam';
      if (text === 'false') return 'ham';
      this.logger.warn(
        `comment-check gave no verdict (${res.status} ${text.slice(0, 80)}${debugHelp(res)}); the comment goes on`,
      );
      return null;
    } catch (error) {
      this.logger.warn(`comment-check failed (${describe(error)}); the comment goes on without a verdict`);
      return null;
    }
  }

  async submit(kind: SpamVerdict, input: SpamCheckInput): Promise<void> {
    const res = await this.call(kind === 'spam' ? 'submit-spam' : 'submit-ham', input);
    const text = await res.text();
    if (!res.ok) throw new Error(`submit-${kind} answered ${res.status} ${text.slice(0, 80)}${debugHelp(res)}`);
  }

  private call(method: string, input: SpamCheckInput): Promise<Response> {
    const c = this.config;
    const form = new URLSearchParams({
      api_key: c.AKISMET_KEY ?? '',
      // Required with AKISMET_KEY (checked at start-up).
      blog: c.AKISMET_SITE ?? '',
      user_ip: input.ip ?? '',
      user_agent: input.userAgent ?? '',
      comment_type: 'comment',
      comment_author: input.author.username,
      comment_content: input.body,
    });
    if (input.author.email) form.set('comment_author_email', input.author.email);
    return fetch(`${c.AKISMET_URL.replace(/\/$/, '')}/1.1/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
      signal: AbortSignal.timeout(c.AKISMET_TIMEOUT_MS),
    });
  }
}

function debugHelp(res: Response): string {
  const help = res.headers.get('x-akismet-debug-help');
  return help ? `: ${help}` : '';
}

function describe(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'timed out';
  return error instanceof Error ? error.message : String(error);
}
