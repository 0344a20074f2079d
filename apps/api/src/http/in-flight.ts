import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { finalize, Observable } from 'rxjs';

// Handlers running now, over HTTP and over sockets alike. A handler whose
// client went away still runs to its end; shutdown waits for it before it
// closes the database under it.
@Injectable()
export class InFlight {
  private running = 0;
  private waiters: (() => void)[] = [];

  enter(): void {
    this.running++;
  }

  leave(): void {
    this.running--;
    if (this.running === 0) for (const resolve of this.waiters.splice(0)) resolve();
  }

  get count(): number {
    return this.running;
  }

  idle(): Promise<void> {
    return this.running === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}

@Injectable()
export class InFlightInterceptor implements NestInterceptor {
  constructor(private readonly inFlight: InFlight) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    this.inFlight.enter();
    return next.handle().pipe(finalize(() => this.inFlight.leave()));
  }
}
