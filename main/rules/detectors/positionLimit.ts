// position_limit (持仓超限): a client's one-side position on a contract (control group summed) exceeds the limit
// (holding the limit is allowed). The configured limit, else the contract's own.
import type { PositionMessage, TradeMessage } from '../../../shared/protocol';
import { resolveRuleParams, type RuleParams } from '../../../shared/rules/config';
import { RULES } from '../../../shared/rules/catalogue';
import type { AlertRecord } from '../alertBook';
import type { Detector, DetectorContext } from '../detector';
import { BUY, SELL, type AccountRec, type InstrumentRec, type PairRec, type SideIndex } from '../records';

type Params = RuleParams['position_limit'];

export class PositionLimitDetector implements Detector {
  readonly rule = 'position_limit';

  constructor(
    private readonly context: DetectorContext,
    private readonly slot: number,
  ) {}

  paramsFor(inst: InstrumentRec): Params {
    return resolveRuleParams(this.context.config, this.rule, inst.exchange, inst.product);
  }

  onPosition(acc: AccountRec, inst: InstrumentRec, m: PositionMessage): void {
    this.check(acc, inst, m.seq);
  }

  onClientTrade(acc: AccountRec, pair: PairRec, _side: SideIndex, m: TradeMessage): void {
    this.check(acc, pair.inst, m.seq);
  }

  private check(acc: AccountRec, inst: InstrumentRec, seq: number): void {
    const params = inst.params[this.slot] as Params;
    if (!params.enabled) return;
    const limit = params.limit ?? inst.positionLimit;
    if (limit === null) return;
    const view = this.context.view;
    const subject = acc.subject;
    let long = 0;
    let short = 0;
    if (subject.type === 'group') {
      const members = view.accountsInGroup(subject.id);
      for (let i = 0; i < members.length; i++) {
        const position = view.position(members[i] as string, inst.id);
        if (position) {
          long += position.longQty;
          short += position.shortQty;
        }
      }
    } else {
      const position = view.position(acc.id, inst.id);
      if (position) {
        long = position.longQty;
        short = position.shortQty;
      }
    }
    const side: SideIndex = long >= short ? BUY : SELL;
    const held = side === BUY ? long : short;
    if (held <= limit) return;
    const pair = this.context.pairOf(subject, inst);
    let record = pair.states[this.slot] as AlertRecord | null;
    if (!record) {
      record = this.context.pairRecord(pair, this.rule, limit, RULES.position_limit.message(params));
      pair.states[this.slot] = record;
    }
    if (held > record.count) {
      record.count = held;
      record.metrics.side = side;
    }
    record.addEvidence(seq);
    if (subject.type === 'group') {
      const members = view.accountsInGroup(subject.id);
      for (let i = 0; i < members.length; i++) {
        const position = view.position(members[i] as string, inst.id);
        if (position && (side === BUY ? position.longQty : position.shortQty) > 0)
          record.addAccount(members[i] as string);
      }
    } else {
      record.addAccount(acc.id);
    }
    this.context.alertBook.raise(record);
  }
}
