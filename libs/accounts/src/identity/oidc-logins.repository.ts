import { Injectable } from '@nestjs/common';
import { PrismaService } from '@rejoinder/db';

export interface OidcLoginRecord {
  state: string;
  codeVerifier: string;
  nonce: string;
  redirectUri: string;
}

@Injectable()
export class OidcLoginsRepository {
  constructor(private readonly prisma: PrismaService) {}

  // Stores a new sign-in and forgets the ones older than `maxAgeSeconds`.
  async create(login: OidcLoginRecord, maxAgeSeconds: number): Promise<void> {
    await this.prisma.$transaction([
      this.prisma.oidcLogin.deleteMany({ where: { createdAt: { lt: new Date(Date.now() - maxAgeSeconds * 1000) } } }),
      this.prisma.oidcLogin.create({ data: login }),
    ]);
  }

  // Takes the sign-in out (so a state works once) when it is recent enough.
  async consume(state: string, maxAgeSeconds: number): Promise<OidcLoginRecord | null> {
    const rows = await this.prisma.$queryRaw<(OidcLoginRecord & { fresh: boolean })[]>`
      DELETE FROM oidc_logins WHERE state = ${state}
      RETURNING state, code_verifier AS "codeVerifier", nonce, redirect_uri AS "redirectUri",
                created_at > now() - make_interval(secs => ${maxAgeSeconds}) AS fresh`;
    const row = rows[0];
    if (!row?.fresh) return null;
    return { state: row.state, codeVerifier: row.codeVerifier, nonce: row.nonce, redirectUri: row.redirectUri };
  }
}
