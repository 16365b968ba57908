// Request-rate quotas as AWS enforces them: a token bucket per operation that refills at the quota's rate and
// holds at most one second's worth (the burst); a request that finds the bucket empty is throttled, not queued.

/** Requests per second allowed, by operation name. */
export type RateQuotas = Record<string, number>;

export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    /** Tokens added per second: the quota. */
    readonly ratePerSecond: number,
    /** Most tokens held at once: the burst a quiet caller may spend at once. One second's worth by default. */
    readonly capacity: number = Math.max(1, ratePerSecond),
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(ratePerSecond > 0 && Number.isFinite(ratePerSecond))) throw new RangeError(`a rate must be a positive number of requests per second, got ${ratePerSecond}`);
    if (!(capacity >= 1 && Number.isFinite(capacity))) throw new RangeError(`a bucket must hold at least one token, got ${capacity}`);
    this.tokens = this.capacity;
    this.refilledAt = this.now();
  }

  /** Takes one token if there is one; false means the request is over the quota. */
  tryTake(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.refilledAt) / 1000) * this.ratePerSecond);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** One bucket per operation that has a quota; operations without one are never throttled. */
export class OperationQuotas {
  private buckets = new Map<string, TokenBucket>();
  private readonly throttledByOperation = new Map<string, number>();

  constructor(
    quotas: RateQuotas = {},
    private readonly now?: () => number,
  ) {
    this.set(quotas);
  }

  /** Replaces every quota (fresh, full buckets); throttle counts are kept. */
  set(quotas: RateQuotas): void {
    this.buckets = new Map(Object.entries(quotas).map(([operation, rate]) => [operation, new TokenBucket(rate, undefined, this.now)]));
  }

  quotas(): RateQuotas {
    return Object.fromEntries([...this.buckets].map(([operation, bucket]) => [operation, bucket.ratePerSecond]));
  }

  /** True when the call may go ahead; false (and counted) when it is over its operation's quota. */
  admit(operation: string): boolean {
    const bucket = this.buckets.get(operation);
    if (!bucket || bucket.tryTake()) return true;
    this.throttledByOperation.set(operation, (this.throttledByOperation.get(operation) ?? 0) + 1);
    return false;
  }

  /** Calls refused for being over quota, by operation. */
  throttled(): Record<string, number> {
    return Object.fromEntries(this.throttledByOperation);
  }
}

/**
 * Reads a rate spec from the command line: `20` (every operation the defaults name) or
 * `DetectSentiment=20,BatchDetectSentiment=5` (those operations; the others keep their defaults).
 */
export function parseRateQuotas(spec: string, defaults: RateQuotas): RateQuotas {
  const rate = (text: string, where: string) => {
    const value = Number(text);
    if (!(text.trim() !== '' && value > 0 && Number.isFinite(value))) throw new Error(`${where}: a rate must be a positive number of requests per second, got "${text}"`);
    return value;
  };
  const trimmed = spec.trim();
  if (!trimmed.includes('=')) {
    const all = rate(trimmed, 'rate');
    return Object.fromEntries(Object.keys(defaults).map((operation) => [operation, all]));
  }
  const quotas = { ...defaults };
  for (const part of trimmed.split(',')) {
    const [operation = '', value = ''] = part.split('=').map((text) => text.trim());
    if (!Object.hasOwn(defaults, operation)) {
      throw new Error(`no quota is known for "${operation}"; known: ${Object.keys(defaults).join(', ')}`);
    }
    quotas[operation] = rate(value, operation);
  }
  return quotas;
}
