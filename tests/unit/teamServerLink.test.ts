// The team server's address as a workstation takes it: what the server prints (http(s)://HOST:PORT) or its API
// endpoint (ws(s)://HOST:PORT/api), and never a clear-text address off this machine (passwords would cross it).
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { TeamServerLink, teamServerApiUrl } from '../../main/api/teamServerLink';

describe('teamServerApiUrl', () => {
  it('turns the printed address into the API endpoint', () => {
    expect(teamServerApiUrl('http://127.0.0.1:5179')).toBe('ws://127.0.0.1:5179/api');
    expect(teamServerApiUrl('https://team.example:5179/')).toBe('wss://team.example:5179/api');
    expect(teamServerApiUrl('wss://team.example:5179/api')).toBe('wss://team.example:5179/api');
    expect(teamServerApiUrl('ws://localhost:5179')).toBe('ws://localhost:5179/api');
  });

  it('refuses what is no server address, in one line', () => {
    expect(() => teamServerApiUrl('team.example:5179')).toThrow(/must start with http:\/\/, https:\/\//);
    expect(() => teamServerApiUrl('not a url')).toThrow(/must be http\(s\):\/\/HOST:PORT/);
    expect(() => teamServerApiUrl('ftp://team.example')).toThrow(/must start with/);
  });

  it('refuses clear text to another machine', () => {
    expect(() => teamServerApiUrl('http://10.1.2.3:5179')).toThrow(/use https:\/\/ .*in clear/);
    expect(() => teamServerApiUrl('ws://team.example:5179')).toThrow(/not on this machine/);
  });
});

describe('a workstation whose team server is not there', () => {
  it('answers a window call as unconfirmed and not sent, and opens windows of its own', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const address = probe.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const opened: string[] = [];
    const link = new TeamServerLink({
      url: `http://127.0.0.1:${port}`,
      openWindow: async (kind) => {
        opened.push(kind);
        return { opened: true };
      },
      backoff: { initialMs: 10, maxMs: 50 },
    });
    const caller = { transport: 'test' as const, connectionId: 'window-1' };
    try {
      await expect(link.call('alerts.setState', { id: 'a1', state: 'acknowledged' }, caller)).rejects.toMatchObject({
        code: 'unconfirmed',
        message: expect.stringMatching(
          /^alerts\.setState could not be confirmed: .*not reachable.*not sent; nothing changed/,
        ),
      });
      await expect(link.call('window.open', { kind: 'alerts' }, caller)).resolves.toEqual({ opened: true });
      expect(opened).toEqual(['alerts']);
      await expect(link.call('window.open', { kind: 'orders' }, caller)).rejects.toMatchObject({
        code: 'bad_arguments',
      });
    } finally {
      link.stop();
    }
  });
});
