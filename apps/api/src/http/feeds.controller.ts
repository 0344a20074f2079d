import { Controller, Delete, Get, Headers, HttpCode, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '@rejoinder/accounts';
import { ErrorCode } from '@rejoinder/common';
import { FeedsService } from '@rejoinder/forum';
import type { AtomDocument } from '@rejoinder/forum';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthGuard, CurrentUser } from '../auth/auth.guard.js';
import { slugParam } from './params.js';
import { ApiAuth, ApiJsonResponse, ApiProblems, TOKEN_PROBLEMS } from './openapi.js';
import { readerFeedUrlSchema } from './schemas.js';

const ATOM = { 'application/atom+xml': { schema: { type: 'string' } } };

// Where this server is, as the client reached it (behind TRUST_PROXY, as the proxy says).
const baseOf = (request: FastifyRequest) => `${request.protocol}://${request.host}`;

function answer(
  reply: FastifyReply,
  feed: AtomDocument,
  ifNoneMatch: string | undefined,
  cacheControl: string,
): string | undefined {
  void reply.header('etag', feed.etag).header('cache-control', cacheControl).header('vary', 'Accept-Encoding');
  if (ifNoneMatch?.split(',').some((tag) => tag.trim() === feed.etag)) {
    void reply.status(304);
    return undefined;
  }
  void reply.header('content-type', 'application/atom+xml; charset=utf-8');
  return feed.xml;
}

@ApiTags('feeds')
@Controller('api')
export class FeedsController {
  constructor(private readonly feeds: FeedsService) {}

  @Get('articles/:slug/comments.atom')
  @ApiParam({ name: 'slug' })
  @ApiOperation({ summary: "Atom feed of an article's latest published comments (50)" })
  @ApiResponse({ status: 200, description: 'The feed; send its ETag back as If-None-Match for a 304', content: ATOM })
  @ApiResponse({ status: 304, description: 'Not changed' })
  @ApiProblems(ErrorCode.ArticleNotFound)
  async article(
    @Param('slug') slug: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const feed = await this.feeds.articleFeed(slugParam(slug), baseOf(request));
    return answer(reply, feed, ifNoneMatch, 'public, max-age=60');
  }

  @Get('comments.atom')
  @ApiOperation({ summary: 'Atom feed of the latest published comments on every article (50)' })
  @ApiResponse({ status: 200, description: 'The feed', content: ATOM })
  @ApiResponse({ status: 304, description: 'Not changed' })
  async site(
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return answer(reply, await this.feeds.siteFeed(baseOf(request)), ifNoneMatch, 'public, max-age=60');
  }

  @Get('feeds/replies/:token')
  @ApiParam({ name: 'token', description: 'The secret from POST /api/me/feeds/replies' })
  @ApiOperation({ summary: "Atom feed of the replies to one reader's comments (private: its URL is the secret)" })
  @ApiResponse({ status: 200, description: 'The feed', content: ATOM })
  @ApiResponse({ status: 304, description: 'Not changed' })
  @ApiProblems(ErrorCode.RouteNotFound)
  async replies(
    @Param('token') token: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    void reply.header('referrer-policy', 'no-referrer');
    return answer(reply, await this.feeds.repliesFeed(token, baseOf(request)), ifNoneMatch, 'private, max-age=60');
  }

  @Post('me/feeds/replies')
  @HttpCode(201)
  @UseGuards(AuthGuard)
  @ApiAuth()
  @ApiOperation({ summary: 'A new secret URL for the feed of replies to you (the previous one stops working)' })
  @ApiJsonResponse(201, 'The URL', readerFeedUrlSchema)
  @ApiProblems(...TOKEN_PROBLEMS)
  async newReplies(
    @CurrentUser() user: AuthUser,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    void reply.header('cache-control', 'no-store');
    const token = await this.feeds.newRepliesToken(user);
    return { url: `${baseOf(request)}/api/feeds/replies/${token}` };
  }

  @Delete('me/feeds/replies')
  @HttpCode(204)
  @UseGuards(AuthGuard)
  @ApiAuth()
  @ApiOperation({ summary: 'Revoke the secret URL of the feed of replies to you' })
  @ApiJsonResponse(204, 'Revoked')
  @ApiProblems(...TOKEN_PROBLEMS)
  async revokeReplies(@CurrentUser() user: AuthUser): Promise<void> {
    await this.feeds.revokeRepliesToken(user);
  }
}
