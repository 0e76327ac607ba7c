// What the team store tests share: a caller on the test transport, and a self-trade alert as a core raises it.
import type { CallerContext } from '../../main/api/dispatcher';
import type { Alert } from '../../shared/rules/types';

export const caller = (connectionId: string): CallerContext => ({ transport: 'test', connectionId });

/** A self-trade alert (high unless said) of `accountId` on rb2605 with id `id`. */
export function selfTradeAlert(id: string, accountId = 'A001', severity: Alert['severity'] = 'high'): Alert {
  return {
    id,
    rule: 'self_trade',
    subjectType: 'account',
    subjectId: accountId,
    accountIds: [accountId],
    instrumentId: 'rb2605',
    exchange: 'SHFE',
    severity,
    score: 80,
    firstSeq: 10,
    lastSeq: 50,
    count: 5,
    threshold: 5,
    tradingDay: '20261207',
    message: `5 self-trades of ${accountId} on rb2605 today`,
    messageZh: `${accountId} rb2605 今日自成交 5 次`,
    evidence: [10, 20, 30, 40, 50],
    metrics: {},
  };
}
