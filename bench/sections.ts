// The benchmark sections `bench/run.ts` runs, in order. Each returns figures under stable JSON keys (a contract:
// other tools read `npm run bench -- --json`).
import { benchAudit } from './audit';
import { benchBroker } from './broker';
import { benchBrokerScreen } from './brokerScreen';
import { benchCaseOpen } from './cases';
import { benchIngest, benchRulesCost } from './core';
import { benchRecord } from './record';
import { benchReplay } from './review';
import { benchGrid, benchTickToScreen, benchWorkspace } from './screen';
import { benchTeamFigures } from './team';

export interface BenchFigure {
  key: string;
  value: number;
  target?: string;
  note?: string;
}

export interface BenchSection {
  name: string;
  run(): Promise<BenchFigure[]>;
}

export const sections: BenchSection[] = [
  {
    name: 'ingest',
    async run() {
      const r = await benchIngest();
      return [
        {
          key: 'ingest_msgs_per_s',
          value: r.ingest_msgs_per_s,
          target: '≥ 300,000',
          note: 'decode + state, batched frames',
        },
        { key: 'json_parse_msgs_per_s', value: r.json_parse_msgs_per_s, note: 'raw JSON.parse of the same frames' },
      ];
    },
  },
  {
    name: 'rules',
    async run() {
      const r = await benchRulesCost();
      return [{ key: 'rules_cost_pct', value: r.rules_cost_pct, target: '≤ 30', note: 'all rules, % of ingest time' }];
    },
  },
  {
    name: 'record',
    async run() {
      const r = await benchRecord();
      return [
        {
          key: 'record_msgs_per_s',
          value: r.record_msgs_per_s,
          target: '≥ 250,000',
          note: 'decode + journal + state, 1M messages (best of 3), until the file is closed',
        },
        {
          key: 'record_cpu_us_per_msg',
          value: r.record_cpu_us_per_msg,
          note: 'CPU µs per message, feed + journal threads (wall-clock waits for a core on a shared machine)',
        },
        {
          key: 'record_with_rules_msgs_per_s',
          value: r.record_with_rules_msgs_per_s,
          note: 'the same with every surveillance rule on',
        },
        { key: 'sqlite_insert_rows_per_s', value: r.sqlite_insert_rows_per_s, note: 'plain prepared insert, same run' },
      ];
    },
  },
  {
    name: 'session',
    async run() {
      const r = await benchReplay({ messages: 1_000_000 });
      return [
        {
          key: 'session_open_ms',
          value: r.session_open_ms,
          target: '< 1000',
          note: `${r.messages.toLocaleString('en-US')}-message session`,
        },
        { key: 'session_seek_ms', value: r.session_seek_ms, target: '< 150', note: 'reader seek, worst case' },
        {
          key: 'replay_msgs_per_s',
          value: r.replay_msgs_per_s,
          target: '≥ 300,000',
          note: 'as fast as possible, all rules',
        },
        { key: 'replay_cpu_us_per_msg', value: r.replay_cpu_us_per_msg, note: 'CPU µs per replayed message' },
        { key: 'session_bytes_per_msg', value: r.session_bytes_per_msg, target: '≤ 120' },
      ];
    },
  },
  {
    name: 'audit',
    async run() {
      const r = await benchAudit();
      return [
        {
          key: 'audit_p99_ms',
          value: r.audit_p99_ms_feed_in_worker,
          target: '≤ 10',
          note: 'durable append, feed 100k msg/s in the core worker (as deployed)',
        },
        { key: 'audit_p99_same_thread_ms', value: r.audit_p99_ms, note: 'if the feed shared the audit thread' },
      ];
    },
  },
  {
    name: 'case',
    async run() {
      const r = await benchCaseOpen();
      return [{ key: 'case_open_ms', value: r.case_open_ms, target: '< 500', note: '10 minutes of replayed book' }];
    },
  },
  {
    name: 'broker',
    async run() {
      const r = await benchBroker();
      const per = 'CPU µs per message, ingest + rules (`floorwatch surveil`), 1M-message simulated day';
      return [
        {
          key: 'broker_surveil_ratio',
          value: r.broker_surveil_ratio,
          target: '≥ 0.7',
          note: 'surveil msg/s (per CPU second) on a 100k-account all-contract day ÷ on the 50-account day',
        },
        {
          key: 'broker_surveil_rss_mb',
          value: r.broker_surveil_rss_mb,
          target: '≤ 800',
          note: 'peak RSS of the surveil process, 1M-message 100k-account day',
        },
        { key: 'broker_us_per_msg_50', value: r.broker_us_per_msg_50, note: `${per}, 50 accounts` },
        { key: 'broker_us_per_msg_10k', value: r.broker_us_per_msg_10k, note: `${per}, 10k accounts` },
        { key: 'broker_us_per_msg_100k', value: r.broker_us_per_msg_100k, note: `${per}, 100k accounts` },
        ...(await benchBrokerScreen().catch((error: unknown) => [
          // The surveil figures stand on their own when the live part fails (a core that cannot keep up, say).
          {
            key: 'broker_screen_error',
            value: Number.NaN,
            note: String((error as Error)?.message ?? error).split('\n')[0],
          },
        ])),
      ];
    },
  },
  {
    name: 'screen',
    async run() {
      return [...(await benchTickToScreen()), ...(await benchGrid()), ...(await benchWorkspace())];
    },
  },
  {
    name: 'team',
    run: benchTeamFigures,
  },
];
