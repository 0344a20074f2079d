import { Injectable } from '@nestjs/common';
import { PrismaService } from '@rejoinder/db';

export interface LinkTokenRecord {
  id: string;
  userId: string;
  purpose: string;
  email: string | null;
  expiresAt: Date;
  usedAt: Date | null;
}

export interface AccountRecord {
  id: string;
  username: string;
  email: string | null;
  passwordHash: string | null;
  emailVerifiedAt: Date | null;
  external: boolean;
}

// Single-use links (address confirmation, password reset) and the account
// changes they and the signed-in reader make.
@Injectable()
export class AccountLinksRepository {
  constructor(private readonly prisma: PrismaService) {}

  findToken(hash: string): Promise<LinkTokenRecord | null> {
    return this.prisma.accountToken.findUnique({
      where: { tokenHash: hash },
      select: { id: true, userId: true, purpose: true, email: true, expiresAt: true, usedAt: true },
    });
  }

  async account(where: { id: string } | { email: string }): Promise<AccountRecord | null> {
    const user = await this.prisma.user.findUnique({
      where: 'id' in where ? { id: where.id } : { email: where.email.toLowerCase() },
      select: {
        id: true,
        username: true,
        email: true,
        passwordHash: true,
        emailVerifiedAt: true,
        externalIssuer: true,
      },
    });
    if (!user) return null;
    const { externalIssuer, ...rest } = user;
    return { ...rest, external: externalIssuer !== null };
  }

  // Uses the token (false when another request used it first) and confirms
  // the address it was sent to, if it is still the account's.
  async confirmAddress(tokenId: string, userId: string, email: string): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const used = await tx.accountToken.updateMany({
        where: { id: tokenId, usedAt: null },
        data: { usedAt: new Date() },
      });
      if (used.count === 0) return false;
      await tx.accountToken.updateMany({
        where: { userId, purpose: 'verify_email', usedAt: null },
        data: { usedAt: new Date() },
      });
      await tx.user.updateMany({
        where: { id: userId, email },
        data: { emailVerifiedAt: new Date(), emailUndeliverableAt: null },
      });
      return true;
    });
  }

  // Uses a reset token and sets the password; every reset link of the account
  // dies with it and every session ends (tokens issued before now are refused).
  async resetPassword(tokenId: string, userId: string, email: string | null, passwordHash: string): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const used = await tx.accountToken.updateMany({
        where: { id: tokenId, usedAt: null },
        data: { usedAt: new Date() },
      });
      if (used.count === 0) return false;
      await tx.accountToken.updateMany({
        where: { userId, purpose: 'password_reset', usedAt: null },
        data: { usedAt: new Date() },
      });
      const user = await tx.user.findUnique({ where: { id: userId }, select: { email: true, emailVerifiedAt: true } });
      // The link reached the address on file: that confirms it too.
      const confirms = email !== null && user?.email === email && !user.emailVerifiedAt;
      await tx.user.update({
        where: { id: userId },
        data: {
          passwordHash,
          sessionsValidAfter: new Date(),
          ...(confirms ? { emailVerifiedAt: new Date(), emailUndeliverableAt: null } : {}),
        },
      });
      return true;
    });
  }

  async setPassword(userId: string, passwordHash: string): Promise<void> {
    await this.prisma.$transaction([
      this.prisma.user.update({ where: { id: userId }, data: { passwordHash, sessionsValidAfter: new Date() } }),
      this.prisma.accountToken.updateMany({
        where: { userId, purpose: 'password_reset', usedAt: null },
        data: { usedAt: new Date() },
      }),
    ]);
  }

  // A new address, unconfirmed (a trigger queues the link to it and the
  // notice to the old one in the same transaction). False when it is taken.
  async setEmail(userId: string, email: string): Promise<boolean> {
    try {
      await this.prisma.user.update({
        where: { id: userId },
        data: { email: email.toLowerCase(), emailVerifiedAt: null, emailUndeliverableAt: null },
      });
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === 'P2002') return false;
      throw error;
    }
  }
}
