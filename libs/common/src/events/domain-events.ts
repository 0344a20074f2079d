import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { ArticleEventName, EventData, SessionEventData, SessionEventName } from './event-catalogue.js';

// Who may see an event: every reader, or the article's moderators (and, when
// userId is set, that one user too, e.g. the author of a pending comment).
export type EventAudience = 'public' | 'moderators' | 'user';

export const MODERATION_FEED = 'moderation';

// A change that has been committed together with its row in article_events.
export interface CommittedEvent<T = unknown> {
  articleId: string;
  // Set for events of a stream other than the article's own (the
  // moderators' feed); `seq` then counts in that stream.
  stream?: string;
  seq: number;
  type: string;
  audience: EventAudience;
  userId: string | null;
  at: string;
  data: T;
}

// A committed event of the catalogue: its name fixes its payload's type, so
// a wrong payload does not compile.
export type ArticleEvent<N extends ArticleEventName = ArticleEventName> = {
  [K in N]: Omit<CommittedEvent, 'type' | 'data'> & { type: K; data: EventData<K> };
}[N];

type Listener = (event: ArticleEvent) => void;

// A message for one user (a session event of the catalogue).
export type UserMessage<N extends SessionEventName = SessionEventName> = {
  [K in N]: { userId: string; type: K; data: SessionEventData<K> };
}[N];

// In-process bus from services to the realtime layer. Services publish only
// after their transaction commits; listeners must not throw into publishers.
@Injectable()
export class DomainEventBus {
  private readonly emitter = new EventEmitter({ captureRejections: false });

  constructor() {
    this.emitter.setMaxListeners(100);
  }

  publish<N extends ArticleEventName>(event: ArticleEvent<N>): void {
    for (const listener of this.emitter.listeners('event') as Listener[]) {
      try {
        listener(event as ArticleEvent);
      } catch {
        // A failing listener must not undo or fail a committed write.
      }
    }
  }

  subscribe(listener: Listener): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  // A message for one user wherever they are connected (not part of any
  // article's numbered log; the user can list it again over HTTP).
  notify<N extends SessionEventName>(message: UserMessage<N>): void {
    for (const listener of this.emitter.listeners('user') as ((m: UserMessage) => void)[]) {
      try {
        listener(message as UserMessage);
      } catch {
        // As above: never fail the write that caused it.
      }
    }
  }

  subscribeUser(listener: (message: UserMessage) => void): () => void {
    this.emitter.on('user', listener);
    return () => this.emitter.off('user', listener);
  }
}
