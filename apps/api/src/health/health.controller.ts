import { Controller, Get, Injectable } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode, serviceUnavailable } from '@rejoinder/common';
import { DatabaseHealthRepository } from '@rejoinder/db';
import { ApiJsonResponse, ApiProblems } from '../http/openapi.js';

@Injectable()
export class Readiness {
  private stopping = false;

  markStopping(): void {
    this.stopping = true;
  }

  get isStopping(): boolean {
    return this.stopping;
  }
}

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(
    private readonly database: DatabaseHealthRepository,
    private readonly readiness: Readiness,
  ) {}

  @Get('health')
  @ApiOperation({ summary: 'Liveness: the process is up' })
  @ApiJsonResponse(200, 'Alive', { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } } })
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: the database answers and the server is not shutting down' })
  @ApiJsonResponse(200, 'Ready', {
    type: 'object',
    properties: { status: { type: 'string', enum: ['ready'] }, database: { type: 'string', enum: ['up'] } },
  })
  @ApiProblems(ErrorCode.ServiceUnavailable)
  async ready(): Promise<{ status: 'ready'; database: 'up' }> {
    if (this.readiness.isStopping) throw serviceUnavailable('Shutting down');
    if (!(await this.database.ping())) throw serviceUnavailable('The database does not answer', { dependency: 'database' });
    return { status: 'ready', database: 'up' };
  }
}
