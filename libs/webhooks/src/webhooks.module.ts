import { Module } from '@nestjs/common';
import { ForumModule } from '@rejoinder/forum';
import { DeliveriesRepository } from './deliveries.repository.js';
import { WebhookSender } from './webhook-sender.service.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { WebhooksService } from './webhooks.service.js';

@Module({
  imports: [ForumModule],
  providers: [WebhooksRepository, DeliveriesRepository, WebhooksService, WebhookSender],
  exports: [WebhooksService, WebhookSender],
})
export class WebhooksModule {}
