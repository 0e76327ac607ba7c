// First start through the API, as the first window's setup screen would do it: auth.setupAdmin over the host's
// bridge, in the host's fresh (temporary) data folder.
import WebSocket from 'ws';

export interface E2eOperator {
  username: string;
  displayName: string;
  password: string;
}

export function setUpAdmin(pageUrl: string | URL, operator: E2eOperator): Promise<void> {
  const page = new URL(pageUrl);
  const token = page.searchParams.get('token') ?? '';
  const ws = new WebSocket(`ws://${page.host}/api?token=${encodeURIComponent(token)}`, { origin: page.origin });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('auth.setupAdmin got no answer')), 30_000);
    ws.once('error', reject);
    ws.once('open', () => ws.send(JSON.stringify({ kind: 'call', id: 1, method: 'auth.setupAdmin', args: operator })));
    ws.on('message', (data) => {
      const reply = JSON.parse(String(data)) as {
        kind: string;
        id?: number;
        ok?: boolean;
        error?: { message: string };
      };
      if (reply.kind !== 'result' || reply.id !== 1) return;
      clearTimeout(timer);
      ws.close();
      if (reply.ok) resolve();
      else reject(new Error(`auth.setupAdmin failed: ${reply.error?.message}`));
    });
  });
}
