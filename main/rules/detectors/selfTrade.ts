// self_trade (自成交): a client — an account or its control group — trading with itself on a contract.
import type { TradeMessage } from '../../../shared/protocol';
import { resolveRuleParams, type RuleParams } from '../../../shared/rules/config';
import { RULES } from '../../../shared/rules/catalogue';
import type { AlertRecord } from '../alertBook';
import type { Detector, DetectorContext } from '../detector';
import type { AccountRec, InstrumentRec } from '../records';

type Params = RuleParams['self_trade'];

export class SelfTradeDetector implements Detector {
  readonly rule = 'self_trade';

  constructor(
    private readonly context: DetectorContext,
    private readonly slot: number,
  ) {}

  paramsFor(inst: InstrumentRec): Params {
    return resolveRuleParams(this.context.config, this.rule, inst.exchange, inst.product);
  }

  onTrade(m: TradeMessage, inst: InstrumentRec, buyer: AccountRec | null, seller: AccountRec | null): void {
    if (!buyer || !seller || buyer.subject !== seller.subject) return;
    const params = inst.params[this.slot] as Params;
    if (!params.enabled) return;
    const pair = this.context.pairOf(buyer.subject, inst);
    let record = pair.states[this.slot] as AlertRecord | null;
    if (!record) {
      record = this.context.pairRecord(pair, this.rule, params.threshold, RULES.self_trade.message(params));
      pair.states[this.slot] = record;
    }
    record.note(m.seq, buyer.id);
    record.addAccount(seller.id);
    this.context.settle(record);
  }
}
