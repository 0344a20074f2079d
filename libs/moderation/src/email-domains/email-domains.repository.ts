import { Injectable } from '@nestjs/common';
import { EmailDomainAction, Prisma, PrismaService } from '@rejoinder/db';

@Injectable()
export class EmailDomainsRepository {
  constructor(private readonly prisma: PrismaService) {}

  list() {
    return this.prisma.emailDomainRule.findMany({ orderBy: [{ domain: 'asc' }] });
  }

  // Null when the domain is listed already. The moderation log records who
  // added it, in the same transaction.
  async add(domain: string, action: EmailDomainAction, moderatorId: string) {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const rule = await tx.emailDomainRule.create({ data: { domain, action } });
        await tx.moderationAction.create({
          data: {
            moderatorId,
            action: 'add_email_domain',
            targetType: 'email_domain',
            targetId: rule.id,
            note: `${domain} (${action})`,
          },
        });
        return rule;
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return null;
      throw error;
    }
  }

  // The removed rule, or null when there was none; logged with who removed it.
  async remove(id: string, moderatorId: string) {
    return this.prisma.$transaction(async (tx) => {
      const [rule] = await tx.emailDomainRule.findMany({ where: { id } });
      if (!rule) return null;
      const { count } = await tx.emailDomainRule.deleteMany({ where: { id } });
      if (count === 0) return null;
      await tx.moderationAction.create({
        data: {
          moderatorId,
          action: 'remove_email_domain',
          targetType: 'email_domain',
          targetId: rule.id,
          note: `${rule.domain} (${rule.action})`,
        },
      });
      return rule;
    });
  }
}
