// The engine state as the rules or the account tools see it, counting whose risk degree they ask for or read from
// a value watch: tests show which accounts a check or a sample touches.
import type { EngineState } from '../../main/engine/state';
import type { EngineView } from '../../main/engine/view';

export function countingView(state: EngineState, asked: string[]): EngineView {
  return new Proxy(state, {
    get(target, property) {
      if (property === 'accountRiskDegree') {
        return (accountId: string) => {
          asked.push(accountId);
          return target.accountRiskDegree(accountId);
        };
      }
      if (property === 'watchAccountValues') {
        return () => {
          const watch = target.watchAccountValues();
          return {
            take: (includeMarks?: boolean) => {
              const rows = watch.take(includeMarks);
              for (const row of rows) asked.push(row.accountId);
              return rows;
            },
          };
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
