import { jest } from '@jest/globals';
import { DomainError, ErrorCode } from '@rejoinder/common';
import { TokenService } from './token.service.js';

const SECRET = 'token-service-spec-secret-0123456789abcdef';

describe('TokenService', () => {
  afterEach(() => jest.restoreAllMocks());

  it('answers a token it verified before with the same claims', async () => {
    const tokens = new TokenService({ secret: SECRET, ttlSeconds: 60 });
    const userId = '0b0c6f7e-2f5e-4c55-9d4c-6f1f5b8a9e21';
    const { accessToken } = await tokens.issue(userId);
    const first = await tokens.verify(accessToken);
    expect(first.userId).toBe(userId);
    expect(await tokens.verify(accessToken)).toEqual(first);
  });

  it('refuses a token it verified before once the token has expired', async () => {
    const tokens = new TokenService({ secret: SECRET, ttlSeconds: 60 });
    const { accessToken } = await tokens.issue('0b0c6f7e-2f5e-4c55-9d4c-6f1f5b8a9e21');
    const { expiresAt } = await tokens.verify(accessToken);
    jest.spyOn(Date, 'now').mockReturnValue(expiresAt.getTime() + 1000);
    const refused = await tokens.verify(accessToken).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe(ErrorCode.TokenExpired);
  });

  it('refuses a token signed with another key, even after verifying a good one', async () => {
    const tokens = new TokenService({ secret: SECRET, ttlSeconds: 60 });
    const other = new TokenService({ secret: `${SECRET}-other`, ttlSeconds: 60 });
    const userId = '0b0c6f7e-2f5e-4c55-9d4c-6f1f5b8a9e21';
    await tokens.verify((await tokens.issue(userId)).accessToken);
    const forged = (await other.issue(userId)).accessToken;
    const refused = await tokens.verify(forged).catch((error: unknown) => error);
    expect((refused as DomainError).code).toBe(ErrorCode.InvalidToken);
  });
});
