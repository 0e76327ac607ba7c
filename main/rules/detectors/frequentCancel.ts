// frequent_cancel (频繁报撤单): a client's cancels on a contract in a day reach the threshold.
import type { OrderCancelMessage } from '../../../shared/protocol';
import { resolveRuleParams, type RuleParams } from '../../../shared/rules/config';
import { RULES } from '../../../shared/rules/catalogue';
import type { AlertRecord } from '../alertBook';
import type { Detector, DetectorContext } from '../detector';
import type { InstrumentRec, OrderRec } from '../records';

type Params = RuleParams['frequent_cancel'];

export class FrequentCancelDetector implements Detector {
  readonly rule = 'frequent_cancel';

  constructor(
    private readonly context: DetectorContext,
    private readonly slot: number,
  ) {}

  paramsFor(inst: InstrumentRec): Params {
    return resolveRuleParams(this.context.config, this.rule, inst.exchange, inst.product);
  }

  onCancel(order: OrderRec, m: OrderCancelMessage): void {
    const pair = order.pair;
    const params = pair.inst.params[this.slot] as Params;
    if (!params.enabled) return;
    let record = pair.states[this.slot] as AlertRecord | null;
    if (!record) {
      record = this.context.pairRecord(pair, this.rule, params.threshold, RULES.frequent_cancel.message(params));
      pair.states[this.slot] = record;
    }
    record.note(m.seq, order.acc.id);
    this.context.settle(record);
  }
}
