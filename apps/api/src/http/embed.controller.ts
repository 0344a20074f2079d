import { Body, Controller, Headers, HttpCode, Options, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode, ZodValidationPipe } from '@rejoinder/common';
import { embedArticleSchema, EmbedArticlesService } from '@rejoinder/forum';
import type { EmbedArticleInput } from '@rejoinder/forum';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiJsonBody, ApiJsonResponse, ApiProblems, BODY_PROBLEMS } from './openapi.js';

// embed.js asks from the newsroom's page (a cross-origin request): the answer
// may be read by the sites in ARTICLE_ORIGINS only.
function allowCors(reply: FastifyReply, origin: string | undefined, allowed: boolean): void {
  void reply.header('vary', 'Origin');
  if (!allowed || !origin) return;
  void reply.header('access-control-allow-origin', origin);
  void reply.header('access-control-allow-methods', 'POST');
  void reply.header('access-control-allow-headers', 'content-type');
  void reply.header('access-control-max-age', '600');
}

@ApiTags('articles')
@Controller('api/embed')
export class EmbedController {
  constructor(private readonly embeds: EmbedArticlesService) {}

  @Post('articles')
  @HttpCode(200)
  @ApiOperation({
    summary: "The article for the embed's page, made on its first load on one of the newsroom's sites",
    description:
      'embed.js sends the page’s data-article-id, data-url and data-title. An article with that id or canonical URL is ' +
      'answered from any site; a new one is made only when the request comes from an origin in ARTICLE_ORIGINS and the ' +
      'URL is on that origin (otherwise ARTICLE_NOT_FOUND). The server never fetches the page. Limited per address ' +
      '(ARTICLE_EMBED_CREATES_PER_IP an hour) and in all (ARTICLE_EMBED_CREATES_PER_HOUR); one nobody comments on is ' +
      'deleted after 7 days.',
  })
  @ApiJsonBody(embedArticleSchema)
  @ApiJsonResponse(200, 'The article', {
    type: 'object',
    properties: {
      id: { type: 'string', format: 'uuid' },
      slug: { type: 'string' },
      created: { type: 'boolean', description: 'Made by this request' },
    },
  })
  @ApiProblems(...BODY_PROBLEMS, ErrorCode.ArticleNotFound, ErrorCode.ArticleUrlInvalid, ErrorCode.RateLimited)
  async article(
    @Body(new ZodValidationPipe(embedArticleSchema)) input: EmbedArticleInput,
    @Headers('origin') origin: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    allowCors(reply, origin, this.embeds.allowedOrigin(origin));
    return this.embeds.findOrCreate(input, { origin, ip: request.ip });
  }

  @Options('articles')
  @HttpCode(204)
  @ApiOperation({ summary: 'CORS preflight for the embed on the newsroom’s sites' })
  preflight(@Headers('origin') origin: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): void {
    allowCors(reply, origin, this.embeds.allowedOrigin(origin));
  }
}
