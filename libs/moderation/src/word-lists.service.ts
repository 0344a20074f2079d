import { Injectable, Logger } from '@nestjs/common';
import { DomainError, ErrorCode } from '@rejoinder/common';
import { ModerationRepository } from './moderation.repository.js';
import { WordMatch, WordMatcher } from './word-lists/word-matcher.js';

export interface WordRuleView {
  id: string;
  pattern: string;
  action: 'ban' | 'suspect';
  createdAt: string;
}

// Other nodes learn of a changed list within this time.
const CACHE_MS = 5000;

@Injectable()
export class WordListsService {
  private readonly logger = new Logger(WordListsService.name);
  private cached: { matcher: WordMatcher; at: number } | null = null;

  constructor(private readonly repository: ModerationRepository) {}

  async list(): Promise<WordRuleView[]> {
    return (await this.repository.wordRules()).map((r) => ({ ...r, createdAt: r.createdAt.toISOString() }));
  }

  async add(pattern: string, action: 'ban' | 'suspect'): Promise<WordRuleView> {
    try {
      new WordMatcher([{ id: 'check', pattern, action }]);
    } catch (error) {
      throw new DomainError(ErrorCode.ValidationFailed, (error as Error).message.replace(/^Word rule "check": /, ''));
    }
    const rule = await this.repository.addWordRule(pattern.toLowerCase(), action);
    if (!rule) throw new DomainError(ErrorCode.WordRuleExists);
    this.cached = null;
    return { ...rule, createdAt: rule.createdAt.toISOString() };
  }

  async remove(id: string): Promise<void> {
    if (!(await this.repository.deleteWordRule(id))) throw new DomainError(ErrorCode.WordRuleNotFound);
    this.cached = null;
  }

  async match(text: string): Promise<WordMatch[]> {
    return (await this.matcher()).match(text);
  }

  private async matcher(): Promise<WordMatcher> {
    if (this.cached && Date.now() - this.cached.at < CACHE_MS) return this.cached.matcher;
    // A stored rule that no longer compiles is skipped, not allowed to switch
    // every check off.
    const rules = (await this.repository.wordRules()).filter((r) => {
      try {
        new WordMatcher([{ id: r.id, pattern: r.pattern, action: r.action }]);
        return true;
      } catch (error) {
        this.logger.warn({ rule: r.id, err: error }, 'Skipping a word rule that does not compile');
        return false;
      }
    });
    const matcher = new WordMatcher(rules.map((r) => ({ id: r.id, pattern: r.pattern, action: r.action })));
    this.cached = { matcher, at: Date.now() };
    return matcher;
  }
}
