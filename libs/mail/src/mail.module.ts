import { DynamicModule, Module } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { ForumModule } from '@rejoinder/forum';
import { AccountLinksRepository } from './account-links.repository.js';
import { AccountMailService } from './account-mail.service.js';
import { MailDeliveriesService } from './mail-deliveries.service.js';
import { MailOutboxRepository } from './mail-outbox.repository.js';
import { MailSettingsRepository } from './mail-settings.repository.js';
import { MailSettingsService } from './mail-settings.service.js';
import { MailTransport } from './mail-transport.js';
import { MailWorker } from './mail.worker.js';
import { MAIL_LINK_SECRET } from './mail.tokens.js';

@Module({})
export class MailModule {
  static forRoot(options: { tokenSecret: string }): DynamicModule {
    return {
      module: MailModule,
      imports: [ForumModule],
      providers: [
        {
          provide: MAIL_LINK_SECRET,
          useValue: createHmac('sha256', options.tokenSecret).update('rejoinder:mail').digest('base64url'),
        },
        MailTransport,
        MailOutboxRepository,
        MailSettingsRepository,
        AccountLinksRepository,
        MailWorker,
        AccountMailService,
        MailSettingsService,
        MailDeliveriesService,
      ],
      exports: [AccountMailService, MailSettingsService, MailDeliveriesService, MailWorker],
    };
  }
}
