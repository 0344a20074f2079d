import { Injectable } from '@nestjs/common';
import { keysetWhere, PrismaService } from '@rejoinder/db';

export interface ApiKeyRecord {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdById: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const columns = {
  id: true,
  name: true,
  prefix: true,
  scopes: true,
  createdById: true,
  createdAt: true,
  lastUsedAt: true,
  revokedAt: true,
} as const;

@Injectable()
export class ApiKeysRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(data: { name: string; prefix: string; hash: string; scopes: string[]; createdById: string }) {
    return this.prisma.apiKey.create({ data, select: columns });
  }

  findByHash(hash: string): Promise<ApiKeyRecord | null> {
    return this.prisma.apiKey.findUnique({ where: { hash }, select: columns });
  }

  // Newest first, keyset by (createdAt, id).
  list(limit: number, before?: { createdAt: string; id: string }): Promise<ApiKeyRecord[]> {
    return this.prisma.apiKey.findMany({
      where: before ? keysetWhere('desc', 'createdAt', new Date(before.createdAt), before.id) : undefined,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit,
      select: columns,
    });
  }

  // Revokes once; revoking a revoked key changes nothing. Null: no such key.
  async revoke(id: string): Promise<ApiKeyRecord | null> {
    await this.prisma.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
    return this.prisma.apiKey.findUnique({ where: { id }, select: columns });
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.prisma.apiKey.updateMany({ where: { id }, data: { lastUsedAt: at } });
  }
}
