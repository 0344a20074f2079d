import { Injectable } from '@nestjs/common';
import { EmailDomainAction, Prisma, PrismaService } from '@rejoinder/db';

@Injectable()
export class EmailDomainsRepository {
  constructor(private readonly prisma: PrismaService) {}

  list() {
    return this.prisma.emailDomainRule.findMany({ orderBy: [{ domain: 'asc' }] });
  }

  // Null when the domain is listed already.
  async add(domain: string, action: EmailDomainAction) {
    try {
      return await this.prisma.emailDomainRule.create({ data: { domain, action } });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return null;
      throw error;
    }
  }

  async remove(id: string) {
    const rows = await this.prisma.emailDomainRule.findMany({ where: { id } });
    const { count } = await this.prisma.emailDomainRule.deleteMany({ where: { id } });
    return count > 0 ? (rows[0] ?? null) : null;
  }
}
