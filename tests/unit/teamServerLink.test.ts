// The team server's address as a workstation takes it: what the server prints (http(s)://HOST:PORT) or its API
// endpoint (ws(s)://HOST:PORT/api), and never a clear-text address off this machine (passwords would cross it).
import { describe, expect, it } from 'vitest';
import { teamServerApiUrl } from '../../main/api/teamServerLink';

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
