import { Body, Controller, Get, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '@rejoinder/accounts';
import { ErrorCode, pageQuery, RateLimits, seqSchema, ZodValidationPipe } from '@rejoinder/common';
import {
  ArticlesService,
  CommentsService,
  DigestService,
  PostingService,
  createCommentSchema,
  THREAD_SORTS,
  threadQuerySchema,
} from '@rejoinder/forum';
import type { ArticleSummary, CommentView, CreateCommentInput, Digest, ThreadQuery } from '@rejoinder/forum';
import { ModerationService } from '@rejoinder/moderation';
import { RealtimeService } from '@rejoinder/realtime';
import type { EventsPage } from '@rejoinder/realtime';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AuthGuard, CurrentUser, OptionalAuth, WithStanding } from '../auth/auth.guard.js';
import { sendCached } from './cached-response.js';
import {
  ApiAuth,
  ApiJsonBody,
  ApiJsonResponse,
  ApiNotModified,
  ApiProblems,
  BODY_PROBLEMS,
  SANCTION_PROBLEMS,
  TOKEN_PROBLEMS,
} from './openapi.js';
import { slugParam } from './params.js';
import {
  EVENTS_PAGE_SCHEMA,
  publicModerationLogPageSchema,
  ARTICLE_LIST_SCHEMA,
  ARTICLE_SCHEMA,
  THREAD_PAGE_SCHEMA,
  COMMENT_SCHEMA,
  DIGEST_SCHEMA,
} from './schemas.js';

const listQuerySchema = z.object(pageQuery(100, 20));

const eventsQuerySchema = z.object({
  after: z.coerce.number().pipe(seqSchema).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const digestQuerySchema = z.object({ since: z.string().min(1).max(64) });

const publicLogQuerySchema = z.object(pageQuery(100, 50));

const SlugParam = () => ApiParam({ name: 'slug', example: 'putin-and-kim-jong-un-are-not-so-different' });

@ApiTags('articles')
@Controller('api/articles')
export class ArticlesController {
  constructor(
    private readonly articles: ArticlesService,
    private readonly comments: CommentsService,
    private readonly posting: PostingService,
    private readonly realtime: RealtimeService,
    private readonly moderation: ModerationService,
    private readonly digests: DigestService,
    private readonly limits: RateLimits,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Articles, newest first, with their comment counts' })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } })
  @ApiQuery({ name: 'cursor', required: false, schema: { type: 'string' } })
  @ApiJsonResponse(200, 'A page of articles', ARTICLE_LIST_SCHEMA)
  @ApiProblems(ErrorCode.ValidationFailed, ErrorCode.InvalidCursor)
  list(
    @Query(new ZodValidationPipe(listQuerySchema)) query: z.output<typeof listQuerySchema>,
  ): Promise<{ items: ArticleSummary[]; nextCursor: string | null }> {
    return this.articles.list(query);
  }

  @Get(':slug')
  @SlugParam()
  @ApiOperation({
    summary: 'An article: title, author, date, body (Markdown and sanitised HTML), comment count, state',
    description:
      'Also the published top-level comments on each passage (`passageCounts`) and per declared stance (`stanceCounts`).',
  })
  @ApiJsonResponse(200, 'The article', ARTICLE_SCHEMA)
  @ApiProblems(ErrorCode.ArticleNotFound, ErrorCode.InvalidToken, ErrorCode.TokenExpired, ErrorCode.ApiKeyNotAllowed)
  @ApiNotModified()
  @UseGuards(AuthGuard)
  @OptionalAuth()
  async get(
    @Param('slug') slug: string,
    @CurrentUser() viewer: AuthUser | null,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer | ''> {
    return sendCached(request, reply, await this.articles.cachedView(slugParam(slug)), viewer !== null);
  }

  @Get(':slug/events')
  @SlugParam()
  @UseGuards(AuthGuard)
  @OptionalAuth()
  @ApiAuth()
  @ApiOperation({
    summary: "The article's events after a seq, in order (catch-up for polling clients)",
    description:
      'The same events a socket subscription replays. Signed-in readers also get the events addressed to them ' +
      '(their pending comments; moderators: the moderation events). Poll again with `after` set to the returned `seq`. ' +
      '`resync: true` means `after` is ahead of the article: reload through the REST routes.',
  })
  @ApiQuery({ name: 'after', required: false, schema: { type: 'integer', minimum: 0, default: 0 } })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } })
  @ApiJsonResponse(200, 'Events after `after`', EVENTS_PAGE_SCHEMA)
  @ApiProblems(
    ErrorCode.ArticleNotFound,
    ErrorCode.ValidationFailed,
    ErrorCode.InvalidToken,
    ErrorCode.TokenExpired,
    ErrorCode.ApiKeyNotAllowed,
  )
  events(
    @Param('slug') slug: string,
    @Query(new ZodValidationPipe(eventsQuerySchema)) query: z.output<typeof eventsQuerySchema>,
    @CurrentUser() viewer: AuthUser | null,
  ): Promise<EventsPage> {
    return this.realtime.eventsAfter(slugParam(slug), query.after, query.limit, viewer);
  }

  @Get(':slug/digest')
  @SlugParam()
  @UseGuards(AuthGuard)
  @OptionalAuth()
  @ApiAuth()
  @ApiOperation({
    summary: 'Catch me up: what happened in the discussion since an event number or a time',
    description:
      'New comments counted (top-level, replies, per stance), the best new top-level comments, the subthreads with ' +
      'the most new replies and, for a signed-in reader, the replies to them and removals in the subthreads they took ' +
      'part in (notices, never the text). Every comment is shown as the visibility policy lets this reader see it. ' +
      'The window is bounded (DIGEST_MAX_AGE_DAYS, DIGEST_MAX_EVENTS, the oldest event kept): `since.clamped` says ' +
      'when it starts later than asked. Follow live with `after` set to the returned `seq`.',
  })
  @ApiQuery({
    name: 'since',
    required: true,
    schema: { type: 'string', example: '42' },
    description:
      'An event number of the article (the `seq` the reader last saw; 0: from the start) or an ISO 8601 time with its offset (`2026-11-30T09:00:00Z`)',
  })
  @ApiJsonResponse(200, 'What happened since', DIGEST_SCHEMA)
  @ApiProblems(
    ErrorCode.ArticleNotFound,
    ErrorCode.ValidationFailed,
    ErrorCode.InvalidSince,
    ErrorCode.SinceAhead,
    ErrorCode.InvalidToken,
    ErrorCode.TokenExpired,
    ErrorCode.ApiKeyNotAllowed,
    ErrorCode.RateLimited,
  )
  async digest(
    @Param('slug') slug: string,
    @Query(new ZodValidationPipe(digestQuerySchema)) query: z.output<typeof digestQuerySchema>,
    @CurrentUser() viewer: AuthUser | null,
    @Req() request: FastifyRequest,
  ): Promise<Digest> {
    // Per client address, shared with digests asked for with a subscription.
    await this.limits.consume('digest-ip', request.ip);
    return this.digests.digest(slugParam(slug), query.since, viewer);
  }

  @Get(':slug/moderation-log')
  @SlugParam()
  @ApiOperation({
    summary: "The article's public moderation log: removed and rejected comments with their reason codes, newest first",
    description: 'Shows what was taken down and why, not who did it.',
  })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 50 } })
  @ApiQuery({ name: 'cursor', required: false, schema: { type: 'string' } })
  @ApiJsonResponse(200, 'A page of the public log', publicModerationLogPageSchema)
  @ApiProblems(ErrorCode.ArticleNotFound, ErrorCode.ValidationFailed, ErrorCode.InvalidCursor)
  moderationLog(
    @Param('slug') slug: string,
    @Query(new ZodValidationPipe(publicLogQuerySchema)) query: z.output<typeof publicLogQuerySchema>,
  ) {
    return this.moderation.log({ ...query, article: slugParam(slug) }, true);
  }

  @Get(':slug/comments')
  @SlugParam()
  @ApiOperation({
    summary: 'A page of top-level comments, each with its first replies nested',
    description:
      'Top-level comments in the chosen order; under each, up to 3 replies (oldest first) on each of the next 2 levels. ' +
      'Every node carries replyCount, descendantCount and, when replies are left out, a repliesCursor.',
  })
  @ApiQuery({
    name: 'sort',
    required: false,
    schema: { type: 'string', enum: [...THREAD_SORTS], default: 'newest' },
    description:
      '`balanced`: the best comments (Wilson lower bound) of each stance in turn (agree, disagree, question, other, then those without a stance)',
  })
  @ApiQuery({
    name: 'paragraph',
    required: false,
    schema: { type: 'integer', minimum: 0 },
    description:
      'Only the comments on this passage of the article (an index into `passageCounts`); no pinned comments then',
  })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } })
  @ApiQuery({
    name: 'cursor',
    required: false,
    schema: { type: 'string' },
    description: 'nextCursor of the previous page',
  })
  @ApiJsonResponse(200, 'A page of the thread', THREAD_PAGE_SCHEMA)
  @ApiProblems(
    ErrorCode.ArticleNotFound,
    ErrorCode.ValidationFailed,
    ErrorCode.InvalidCursor,
    ErrorCode.ParagraphNotFound,
    ErrorCode.InvalidToken,
    ErrorCode.TokenExpired,
    ErrorCode.ApiKeyNotAllowed,
  )
  @ApiNotModified()
  @UseGuards(AuthGuard)
  @OptionalAuth()
  async thread(
    @Param('slug') slug: string,
    @Query(new ZodValidationPipe(threadQuerySchema)) query: ThreadQuery,
    @CurrentUser() viewer: AuthUser | null,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer | ''> {
    const page = await this.comments.cachedThread(slugParam(slug), query);
    return sendCached(
      request,
      reply,
      viewer ? await this.comments.personalise(viewer, page, !query.cursor) : page,
      viewer !== null,
    );
  }

  @Post(':slug/comments')
  @SlugParam()
  @UseGuards(AuthGuard)
  @WithStanding()
  @ApiAuth()
  @ApiOperation({
    summary: 'Post a comment or a reply',
    description:
      'The body is Markdown (a safe subset), stored as source and rendered to sanitised HTML. ' +
      'Send a client-chosen `id` (UUID) to make retries safe: the same id and body again returns the stored comment with 200. ' +
      'A top-level comment may quote a passage (`anchor`: the passage index and words found in it) and declare a `stance`.',
  })
  @ApiJsonBody(createCommentSchema)
  @ApiJsonResponse(201, 'The comment was stored', COMMENT_SCHEMA)
  @ApiJsonResponse(200, 'A retry: the comment stored earlier under this id', COMMENT_SCHEMA)
  @ApiProblems(
    ...TOKEN_PROBLEMS,
    ...BODY_PROBLEMS,
    ...SANCTION_PROBLEMS,
    ErrorCode.CommentBodyEmpty,
    ErrorCode.CommentBodyTooLong,
    ErrorCode.ParagraphNotFound,
    ErrorCode.QuoteNotInParagraph,
    ErrorCode.TopLevelOnly,
    ErrorCode.ParentNotFound,
    ErrorCode.ParentInOtherArticle,
    ErrorCode.ParentNotReplyable,
    ErrorCode.ThreadTooDeep,
    ErrorCode.ArticleClosed,
    ErrorCode.ArticleNotFound,
    ErrorCode.CommentIdConflict,
    ErrorCode.RateLimited,
    ErrorCode.PostingBusy,
    ErrorCode.DuplicateComment,
    ErrorCode.SlowMode,
    ErrorCode.BannedWord,
  )
  async create(
    @Param('slug') slug: string,
    @Body(new ZodValidationPipe(createCommentSchema)) input: CreateCommentInput,
    @CurrentUser() user: AuthUser,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CommentView> {
    const result = await this.posting.create(user, slugParam(slug), input, {
      ip: request.ip,
      userAgent: request.headers['user-agent'],
    });
    void reply.status(result.created ? 201 : 200).header('location', `/api/comments/${result.comment.id}`);
    return result.comment;
  }
}
