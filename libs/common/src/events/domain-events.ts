import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';

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

type Listener = (event: CommittedEvent) => void;

export interface UserMessage {
  userId: string;
  type: string;
  data: unknown;
}

// In-process bus from services to the realtime layer. Services publish only
// after their transaction commits; listeners must not throw into publishers.
@Injectable()
export class DomainEventBus {
  private readonly emitter = new EventEmitter({ captureRejections: false });

  constructor() {
    this.emitter.setMaxListeners(100);
  }

  publish(event: CommittedEvent): void {
    for (const listener of this.emitter.listeners('event') as Listener[]) {
      try {
        listener(event);
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
  notify(message: UserMessage): void {
    for (const listener of this.emitter.listeners('user') as ((m: UserMessage) => void)[]) {
      try {
        listener(message);
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
