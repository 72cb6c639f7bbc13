/**
 * The store for several server instances: Redis (ioredis). Single use holds across instances because the
 * consume is one Lua script, which Redis runs atomically (https://redis.io/docs/latest/develop/interact/programmability/eval-intro/):
 * the first script to set `used` on a ticket wins, every later one reads `replayed`.
 *
 * Fail closed: no offline queue (a command while disconnected fails at once instead of waiting for a reconnect),
 * every command bounded by `commandTimeoutMs`, and every failure becomes ServerError ERR_STORE_UNAVAILABLE, which
 * callers turn into a refusal to serve, never into an acceptance. ioredis keeps reconnecting in the background,
 * so the instance recovers by itself when Redis is back. Pending tickets live only in Redis: after a restart
 * without persistence they read as unknown (refused). Enrolments should survive restarts: run Redis with AOF.
 * A `peek` is a plain read (HMGET): the server checks the submission's signature against it and only then runs
 * the consume script, so the script stays the one atomic step. A failover or an old snapshot can lose the `used`
 * mark (Redis replicates asynchronously): `waitReplicas` adds WAIT after the writes that guard single use and
 * enrolment (docs/server.md §4). Not for Redis Cluster: the enrolment scripts span several hash slots.
 */
import { Redis } from 'ioredis';
import { keyInUse, ServerError } from './errors.js';
import type { CccdStore, ConsumeResult, Enrolment, PeekResult, TicketRecord } from './store.js';

const CONSUME = `
local rec = redis.call('HGET', KEYS[1], 'rec')
if not rec then return {'unknown'} end
if redis.call('HSETNX', KEYS[1], 'used', '1') == 0 then return {'replayed'} end
return {'ok', rec}`;

// KEYS: agent record, key index of the new key, set of agent IDs. ARGV: record JSON, agent ID, key-index prefix.
// Returns 0, changing nothing, when the key is another agent's.
const ENROL = `
local holder = redis.call('GET', KEYS[2])
if holder and holder ~= ARGV[2] then return 0 end
local old = redis.call('GET', KEYS[1])
if old then
  local prev = ARGV[3] .. cjson.decode(old).publicKey
  if prev ~= KEYS[2] then redis.call('DEL', prev) end
end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[2])
return 1`;

// KEYS: agent record, set of agent IDs. ARGV: agent ID, key-index prefix.
const REVOKE = `
local old = redis.call('GET', KEYS[1])
if not old then return 0 end
redis.call('DEL', ARGV[2] .. cjson.decode(old).publicKey)
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[1])
return 1`;

const HIT = `
local c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return c`;

export interface RedisStoreOptions {
  /** redis://[user:password@]host:port[/db] */
  url: string;
  /** Prefix of every key (default `cccd:`): several deployments can share one Redis. */
  prefix?: string;
  /** Bound on each command (default 2000 ms). */
  commandTimeoutMs?: number;
  /** Bound on the first connection (default 5000 ms). */
  connectTimeoutMs?: number;
  /**
   * Replicas that must acknowledge each write that guards single use or enrolment (the consume, enrol, revoke)
   * before it counts, with Redis `WAIT` (https://redis.io/docs/latest/commands/wait/); fewer within
   * `waitTimeoutMs` (default 500) is ERR_STORE_UNAVAILABLE: the result is not accepted (fail closed). Default 0:
   * no WAIT. It narrows, without closing, the window in which a failover loses a `used` mark (docs/server.md §4).
   */
  waitReplicas?: number;
  waitTimeoutMs?: number;
  /** Called (without secrets) when the connection fails or recovers. */
  onConnection?: (state: 'ready' | 'error' | 'closed') => void;
}

const unavailable = (cause: unknown) =>
  new ServerError('ERR_STORE_UNAVAILABLE', 'the ticket store (Redis) is unavailable', { cause });

export class RedisStore implements CccdStore {
  private constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly replicas: { count: number; timeoutMs: number },
  ) {}

  /** Connects, waiting at most connectTimeoutMs; ERR_STORE_UNAVAILABLE when Redis does not answer. */
  static async connect(options: RedisStoreOptions): Promise<RedisStore> {
    const redis = new Redis(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 2000,
      connectTimeout: options.connectTimeoutMs ?? 5000,
      // Keep trying forever, never more than 500 ms apart: an instance is back as soon as Redis is.
      retryStrategy: (times) => Math.min(50 * times, 500),
    });
    // Without a listener ioredis prints every connection error; state changes go to the caller instead.
    redis.on('error', () => options.onConnection?.('error'));
    redis.on('ready', () => options.onConnection?.('ready'));
    redis.on('end', () => options.onConnection?.('closed'));
    const bound = options.connectTimeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        redis.connect(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${bound} ms`)), bound);
        }),
      ]);
    } catch (e) {
      redis.disconnect();
      throw unavailable(e);
    } finally {
      clearTimeout(timer);
    }
    return new RedisStore(redis, options.prefix ?? 'cccd:', {
      count: options.waitReplicas ?? 0,
      timeoutMs: options.waitTimeoutMs ?? 500,
    });
  }

  private async call<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (e) {
      throw unavailable(e);
    }
  }

  /** With `waitReplicas`: the last write reached that many replicas, or ERR_STORE_UNAVAILABLE. */
  private async replicated(): Promise<void> {
    const { count, timeoutMs } = this.replicas;
    if (count <= 0) return;
    const acked = await this.call(() => this.redis.wait(count, timeoutMs));
    if (Number(acked) < count)
      throw new ServerError('ERR_STORE_UNAVAILABLE', `the ticket store (Redis) reached ${acked} of ${count} replicas`);
  }

  private key(kind: string, id: string): string {
    return `${this.prefix}${kind}:${id}`;
  }

  async putTicket(record: TicketRecord, retainMs: number): Promise<void> {
    const k = this.key('ticket', record.ticketId);
    const replies = await this.call(() =>
      this.redis.multi().hset(k, 'rec', JSON.stringify(record)).pexpire(k, Math.ceil(retainMs)).exec(),
    );
    if (!replies || replies.some(([err]) => err)) throw unavailable(replies?.find(([err]) => err)?.[0]);
  }

  async peekTicket(ticketId: string): Promise<PeekResult> {
    const [rec, used] = await this.call(() => this.redis.hmget(this.key('ticket', ticketId), 'rec', 'used'));
    if (typeof rec !== 'string') return { status: 'unknown' };
    return used === null ? { status: 'ok', record: JSON.parse(rec) as TicketRecord } : { status: 'replayed' };
  }

  async consumeTicket(ticketId: string): Promise<ConsumeResult> {
    const reply = (await this.call(() => this.redis.eval(CONSUME, 1, this.key('ticket', ticketId)))) as string[];
    if (reply[0] === 'ok' && typeof reply[1] === 'string') {
      await this.replicated();
      return { status: 'ok', record: JSON.parse(reply[1]) as TicketRecord };
    }
    return { status: reply[0] === 'replayed' ? 'replayed' : 'unknown' };
  }

  async enrol(e: Enrolment): Promise<void> {
    const record = JSON.stringify({ ...e });
    const done = await this.call(() =>
      this.redis.eval(
        ENROL,
        3,
        this.key('agent', e.agentId),
        this.key('agentkey', e.publicKey),
        `${this.prefix}agents`,
        record,
        e.agentId,
        `${this.prefix}agentkey:`,
      ),
    );
    if (done === 0) throw keyInUse();
    await this.replicated();
  }

  async revoke(agentId: string): Promise<boolean> {
    const n = await this.call(() =>
      this.redis.eval(
        REVOKE,
        2,
        this.key('agent', agentId),
        `${this.prefix}agents`,
        agentId,
        `${this.prefix}agentkey:`,
      ),
    );
    await this.replicated();
    return n === 1;
  }

  async enrolmentByKey(publicKey: string): Promise<Enrolment | undefined> {
    const agentId = await this.call(() => this.redis.get(this.key('agentkey', publicKey)));
    if (agentId === null) return undefined;
    const json = await this.call(() => this.redis.get(this.key('agent', agentId)));
    const e = json === null ? undefined : (JSON.parse(json) as Enrolment);
    // Re-enrolled or revoked between the two reads: the key is no longer this agent's.
    return e?.publicKey === publicKey ? e : undefined;
  }

  async enrolments(): Promise<Enrolment[]> {
    const ids = await this.call(() => this.redis.smembers(`${this.prefix}agents`));
    if (ids.length === 0) return [];
    const rows = await this.call(() => this.redis.mget(ids.map((id) => this.key('agent', id))));
    return rows.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as Enrolment);
  }

  async hit(bucket: string, limit: number, windowMs: number): Promise<boolean> {
    const count = await this.call(() => this.redis.eval(HIT, 1, this.key('rate', bucket), Math.ceil(windowMs)));
    return Number(count) <= limit;
  }

  async close(): Promise<void> {
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }
}
