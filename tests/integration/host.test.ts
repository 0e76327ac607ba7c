// The headless host on 127.0.0.1: token and Origin checks on pages and on the API upgrade, static files, and real
// API calls and topic streams over the WebSocket bridge (against a fake core fed through a TopicHub).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { request, type IncomingMessage } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import type { BridgeReply, WireTopicUpdate } from '../../shared/api/wire';
import type { MarketRow } from '../../shared/domain/types';
import type { CoreHandle } from '../../main/api/backend';
import { TopicHub } from '../../main/api/topicHub';
import { startHost, type HostHandle } from '../../main/host/server';
import { testGate } from '../support/testGate';
import { TestBridge } from './support/testBridge';

function marketRow(instrumentId: string, last: number): MarketRow {
  return {
    instrumentId,
    exchange: 'SHFE',
    product: instrumentId.replace(/\d+$/, ''),
    multiplier: 10,
    priceTick: 1,
    marginRate: 0.1,
    preSettlement: 3500,
    upperLimit: 3675,
    lowerLimit: 3325,
    positionLimit: null,
    maxOrderQty: null,
    phase: 'continuous',
    last,
    change: last - 3500,
    changePct: ((last - 3500) / 3500) * 100,
    bid: last - 1,
    bidQty: 10,
    ask: last,
    askQty: 5,
    volume: 100,
    openInterest: 1000,
    quoteTs: 1,
    seq: 1,
  };
}

class FakeCore extends TopicHub implements CoreHandle {
  readonly feedUrl = 'ws://127.0.0.1:9/fake';
  readonly simulatorRunning = true;
  readonly mode = 'live' as const;
  reconnects = 0;
  async reconnect(): Promise<void> {
    this.reconnects++;
  }
}

interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** GET a URL; a `{ port, path }` target sends the path exactly as written (no client-side dot-segment cleanup). */
function get(
  target: string | { port: number; path: string },
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const onResponse = (res: IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    };
    const req =
      typeof target === 'string'
        ? request(target, { method, headers }, onResponse)
        : request({ host: '127.0.0.1', port: target.port, path: target.path, method, headers }, onResponse);
    req.on('error', reject);
    req.end();
  });
}

/** Resolves with the upgrade's HTTP status when refused, or 101 when the socket opened. */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.on('error', (error) => reject(error));
  });
}

describe('headless host', () => {
  let staticDir: string;
  let host: HostHandle;
  let core: FakeCore;
  const logged: string[] = [];

  beforeAll(async () => {
    staticDir = await mkdtemp(path.join(os.tmpdir(), 'fw-host-'));
    await mkdir(path.join(staticDir, 'assets'));
    await writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>fw</title>');
    await writeFile(path.join(staticDir, 'assets', 'app-1234.js'), 'console.log(1)');
    await writeFile(path.join(staticDir, 'assets', 'app-1234.css'), 'body{}');
    await writeFile(path.join(path.dirname(staticDir), 'fw-host-secret.txt'), 'secret');
    core = new FakeCore();
    core.publish({
      topic: 'market',
      snapshot: true,
      rows: [marketRow('rb2605', 3500), marketRow('cu2606', 71000)],
      removed: [],
      at: Date.now(),
      sourceTs: Date.now(),
    });
    host = await startHost({
      port: 0,
      core,
      access: { gate: testGate() }, // login over the host is tested in auth-host.test.ts
      staticDir,
      version: '9.9.9-test',
      log: (line) => logged.push(line),
    });
  });

  afterAll(async () => {
    await host?.stop();
    await rm(staticDir, { recursive: true, force: true });
    await rm(path.join(path.dirname(staticDir), 'fw-host-secret.txt'), { force: true });
  });

  it('prints a loopback URL carrying a 32-byte token', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${host.token}`);
    expect(Buffer.from(host.token, 'base64url')).toHaveLength(32);
    expect(host.port).toBeGreaterThan(0);
  });

  it('refuses pages without the token or with a wrong one', async () => {
    const before = host.refusals.badToken;
    const none = await get(`${host.origin}/`);
    expect(none.status).toBe(401);
    expect(none.body).toMatch(/token/);
    const wrong = await get(`${host.origin}/?token=${'A'.repeat(host.token.length)}`);
    expect(wrong.status).toBe(401);
    const wrongCookie = await get(`${host.origin}/assets/app-1234.js`, { Cookie: `fw_token_${host.port}=nope` });
    expect(wrongCookie.status).toBe(401);
    expect(host.refusals.badToken).toBe(before + 3);
  });

  it('serves the page with the token, sets a strict HttpOnly cookie and the CSP', async () => {
    const page = await get(host.url);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<title>fw</title>');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'self'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const cookie = String(page.headers['set-cookie']);
    expect(cookie).toContain(`fw_token_${host.port}=${host.token}`);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');

    const script = await get(`${host.origin}/assets/app-1234.js`, { Cookie: `fw_token_${host.port}=${host.token}` });
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['set-cookie']).toBeUndefined();
    const style = await get(`${host.origin}/assets/app-1234.css?token=${host.token}`);
    expect(style.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('does not serve files outside the renderer directory', async () => {
    const auth = { Cookie: `fw_token_${host.port}=${host.token}` };
    const attempts = [
      '/../fw-host-secret.txt',
      '/assets/../../fw-host-secret.txt',
      '/%2e%2e/fw-host-secret.txt',
      '/assets/..%2f..%2ffw-host-secret.txt',
      '/..%5c..%5cfw-host-secret.txt',
      `/${encodeURIComponent(path.join(path.dirname(staticDir), 'fw-host-secret.txt'))}`,
    ];
    for (const attempt of attempts) {
      const answer = await get({ port: host.port, path: attempt }, auth);
      expect(answer.status, attempt).not.toBe(200);
      expect(answer.body).not.toContain('secret');
    }
    expect((await get(`${host.origin}/missing.js`, auth)).status).toBe(404);
    expect((await get(`${host.origin}/`, auth, 'POST')).status).toBe(405);
  });

  it('refuses a Host header that does not name the host (DNS rebinding)', async () => {
    const answer = await get(host.url, { Host: `evil.example:${host.port}` });
    expect(answer.status).toBe(403);
  });

  it('refuses the API upgrade without the token, with a wrong token, or from a foreign Origin', async () => {
    const api = `ws://127.0.0.1:${host.port}/api`;
    const own = { Origin: host.origin };
    expect(await upgradeStatus(api, own)).toBe(401);
    expect(await upgradeStatus(`${api}?token=${host.token.slice(0, -1)}x`, own)).toBe(401);
    expect(await upgradeStatus(`${api}?token=${host.token}`, { Origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(`${api}?token=${host.token}`, { Origin: 'http://127.0.0.1:1' })).toBe(403);
    expect(await upgradeStatus(`${api}?token=${host.token}`, {})).toBe(403);
    expect(await upgradeStatus(`ws://127.0.0.1:${host.port}/other?token=${host.token}`, own)).toBe(404);
    // The cookie set on the first page load authenticates the upgrade too.
    expect(await upgradeStatus(api, { ...own, Cookie: `fw_token_${host.port}=${host.token}` })).toBe(101);
    expect(await upgradeStatus(`${api}?token=${host.token}`, { Origin: `http://localhost:${host.port}` })).toBe(101);
    expect(host.refusals.badOrigin).toBeGreaterThanOrEqual(3);
    expect(logged.some((line) => line.includes('evil.example'))).toBe(true);
  });

  it('answers API calls and streams topic snapshots and deltas over the bridge', async () => {
    const bridge = await TestBridge.open(`ws://127.0.0.1:${host.port}/api?token=${host.token}`, host.origin);
    try {
      const info = await bridge.call(1, 'app.info', {});
      expect(info).toMatchObject({
        ok: true,
        value: { product: 'Floorwatch', version: '9.9.9-test', transport: 'host', simulator: true },
      });

      bridge.send({ kind: 'subscribe', topic: 'market' });
      const snapshot = await bridge.topic('market');
      expect(snapshot.snapshot).toBe(true);
      expect(snapshot.rows.map((r) => r.instrumentId).sort()).toEqual(['cu2606', 'rb2605']);

      core.publish({
        topic: 'market',
        snapshot: false,
        rows: [marketRow('rb2605', 3512)],
        removed: ['cu2606'],
        at: Date.now(),
        sourceTs: 42,
      });
      const delta = await bridge.topic('market');
      expect(delta).toMatchObject({ snapshot: false, removed: ['cu2606'], sourceTs: 42 });
      // A row the window holds goes as its key and the fields that changed (TopicUpdate.patches).
      expect(delta.rows).toEqual([]);
      expect((delta as WireTopicUpdate<'market'>).patches).toEqual([
        { instrumentId: 'rb2605', last: 3512, change: 12, changePct: (12 / 3500) * 100, bid: 3511, ask: 3512 },
      ]);

      const bad = await bridge.call(2, 'window.open', { kind: 'nope' });
      expect(bad).toMatchObject({ ok: false, error: { code: 'bad_arguments' } });
      const unknown = await bridge.call(3, 'no.such.method', {});
      expect(unknown).toMatchObject({ ok: false, error: { code: 'unknown_method' } });

      const opened = await bridge.call(4, 'window.open', { kind: 'positions', channel: 'blue' });
      expect(opened.ok).toBe(true);
      const value = (opened as { value: { opened: boolean; url: string } }).value;
      expect(value.opened).toBe(false);
      const target = new URL(value.url);
      expect(target.origin).toBe(host.origin);
      expect(target.searchParams.get('window')).toBe('positions');
      expect(target.searchParams.get('channel')).toBe('blue');
      expect(target.searchParams.get('token')).toBe(host.token);

      bridge.send({ kind: 'subscribe', topic: 'links' });
      expect((await bridge.topic('links')).rows[0]?.red).toEqual({ instrument: null, account: null });
      await bridge.call(5, 'link.set', {
        channel: 'red',
        context: { type: 'fdc3.account', id: { accountId: 'A007' } },
      });
      expect((await bridge.topic('links')).rows[0]?.red).toEqual({ instrument: null, account: 'A007' });

      await bridge.call(6, 'feed.reconnect', {});
      expect(core.reconnects).toBe(1);

      // A malformed message gets an error reply (with its id when it can be read), is counted, and the connection
      // keeps working.
      const badBefore = host.refusals.badMessages;
      const refusal = (id: number | null) =>
        bridge.next(
          (r): r is Extract<BridgeReply, { kind: 'result'; ok: false }> => r.kind === 'result' && !r.ok && r.id === id,
        );
      bridge.send('{not json');
      expect((await refusal(null)).error).toEqual({ code: 'bad_arguments', message: 'malformed request: not JSON' });
      bridge.send('{"kind":"call","id":71,"method":"app.info",');
      expect((await refusal(71)).error.code).toBe('bad_arguments');
      bridge.send(JSON.stringify({ kind: 'call', id: 'seventy-two', method: 'app.info' }));
      expect((await refusal(null)).error.message).toMatch(/numeric "id"/);
      bridge.send(JSON.stringify({ kind: 'shout', id: 73 }));
      expect((await refusal(73)).error.message).toMatch(/unknown request kind "shout"/);
      bridge.send(JSON.stringify({ kind: 'subscribe', topic: 'no-such-topic' }));
      expect((await refusal(null)).error.message).toMatch(/unknown topic/);
      bridge.send('[1,2]');
      expect((await refusal(null)).error.message).toMatch(/JSON object/);
      const unknownMethod = await bridge.call(74, 'no.such.method', {});
      expect(unknownMethod).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
      const badArgs = await bridge.call(75, 'window.open', { kind: 42 });
      expect(badArgs).toMatchObject({ ok: false, error: { code: 'bad_arguments' } });
      expect((await bridge.call(7, 'app.info', {})).ok).toBe(true);
      expect(host.refusals.badMessages).toBe(badBefore + 6);
      expect(logged.filter((line) => /malformed request|not JSON; refused/.test(line))).toHaveLength(6);

      // After unsubscribing, deltas stop.
      bridge.send({ kind: 'unsubscribe', topic: 'market' });
      await bridge.call(8, 'app.info', {});
      core.publish({
        topic: 'market',
        snapshot: false,
        rows: [marketRow('rb2605', 3520)],
        removed: [],
        at: 1,
        sourceTs: 1,
      });
      await bridge.call(9, 'app.info', {});
      expect(bridge.replies.some((r) => r.kind === 'topic' && r.update.topic === 'market')).toBe(false);
    } finally {
      await bridge.close();
    }
  });

  it('closes bridge connections when it stops', async () => {
    const other = await startHost({
      port: 0,
      core,
      access: { gate: testGate() },
      staticDir,
      version: 't',
      log: () => {},
    });
    const bridge = await TestBridge.open(`ws://127.0.0.1:${other.port}/api?token=${other.token}`, other.origin);
    expect(other.connections).toBe(1);
    const closed = new Promise<number>((resolve) => bridge.ws.once('close', (code) => resolve(code)));
    await other.stop();
    expect(await closed).toBe(1001);
    await expect(get(other.url)).rejects.toThrow();
    // Each start has its own token.
    expect(other.token).not.toBe(host.token);
  });
});
