// A token bucket per socket: `perMinute` events, refilled continuously. Kept
// in memory: it lives and dies with the socket, on the node that holds it.
export class SocketRateLimiter {
  private tokens: number;
  private last = Date.now();
  private strikes = 0;

  constructor(
    private readonly perMinute: number,
    // Refusals in a row after which the socket counts as a flooder.
    private readonly maxStrikes = 20,
  ) {
    this.tokens = perMinute;
  }

  // 0 when the event may go ahead, else the milliseconds until it could.
  take(now = Date.now()): number {
    this.tokens = Math.min(this.perMinute, this.tokens + ((now - this.last) * this.perMinute) / 60_000);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.strikes = 0;
      return 0;
    }
    this.strikes += 1;
    return Math.ceil(((1 - this.tokens) * 60_000) / this.perMinute);
  }

  get flooding(): boolean {
    return this.strikes >= this.maxStrikes;
  }
}
