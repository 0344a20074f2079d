import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { isModerator } from '@rejoinder/accounts';
import { APP_CONFIG } from '@rejoinder/common';
import type { AppConfig } from '@rejoinder/common';
import { ThreadHealthService } from '@rejoinder/moderation';
import type { Server, Socket } from 'socket.io';
import { emitSession, state } from './socket-state.js';

// Thread health for the moderators who follow an article: each node tells
// its own sockets, when the measure changed since the last time.
@Injectable()
export class ThreadHealthPush implements OnModuleDestroy {
  private readonly logger = new Logger('Realtime');
  private server: Server | null = null;
  private healthTick: NodeJS.Timeout | null = null;
  // The thread health last sent to each article's moderators on this node.
  private readonly lastHealth = new Map<string, string>();

  constructor(
    private readonly health: ThreadHealthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  start(server: Server): void {
    this.server = server;
    this.healthTick = setInterval(() => void this.sendHealth(), this.config.THREAD_HEALTH_INTERVAL_MS).unref();
  }

  onModuleDestroy(): void {
    if (this.healthTick) clearInterval(this.healthTick);
  }

  // Each node tells its own moderators following an article how the thread
  // runs, when it changed since the last time (`local`: the other nodes tell theirs).
  private async sendHealth(): Promise<void> {
    const watched = new Set<string>();
    const server = this.server;
    if (!server) return;
    for (const [room, members] of server.of('/').adapter.rooms) {
      const match = /^article:(.+):mod$/.exec(room);
      if (match && members.size > 0) watched.add(match[1]);
    }
    for (const id of this.lastHealth.keys()) if (!watched.has(id)) this.lastHealth.delete(id);
    for (const articleId of watched) {
      try {
        const health = await this.health.byId(articleId);
        if (!health) continue;
        const { at: _at, ...measured } = health;
        const key = JSON.stringify(measured);
        if (this.lastHealth.get(articleId) === key) continue;
        this.lastHealth.set(articleId, key);
        server.local.to(`article:${articleId}:mod`).emit('thread.health', health);
      } catch (error) {
        this.logger.warn({ err: error, articleId }, 'Could not measure thread health');
      }
    }
  }

  // A moderator who starts following an article learns its health at once.
  async sendHealthTo(socket: Socket, articleId: string): Promise<void> {
    try {
      const health = await this.health.byId(articleId);
      const user = state(socket).user;
      if (health && user && isModerator(user) && socket.rooms.has(`article:${articleId}:mod`))
        emitSession(socket, 'thread.health', health);
    } catch (error) {
      this.logger.warn({ err: error, articleId }, 'Could not measure thread health');
    }
  }
}
