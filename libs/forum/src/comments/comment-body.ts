import type { AppConfig } from '@rejoinder/common';
import { DomainError, ErrorCode, hasVisibleCharacter } from '@rejoinder/common';

// A comment's body as posted or edited: trimmed, with something visible in
// it, and no longer than COMMENT_MAX_LENGTH characters.
export function checkCommentBody(raw: string, config: Pick<AppConfig, 'COMMENT_MAX_LENGTH'>): string {
  const body = raw.trim();
  // Zero-width and direction marks alone look empty, and are.
  if (!hasVisibleCharacter(body)) throw new DomainError(ErrorCode.CommentBodyEmpty);
  const length = [...body].length;
  if (length > config.COMMENT_MAX_LENGTH) {
    throw new DomainError(ErrorCode.CommentBodyTooLong, `${length} characters; at most ${config.COMMENT_MAX_LENGTH}`, {
      maxLength: config.COMMENT_MAX_LENGTH,
    });
  }
  return body;
}
