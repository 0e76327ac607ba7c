// large_cancel (大额报撤单): cancels of at least a size (absolute, or a share of the contract's largest order) on a
// contract in a day reach the threshold.
import type { OrderCancelMessage } from '../../../shared/protocol';
import { resolveRuleParams, type RuleParams } from '../../../shared/rules/config';
import { RULES } from '../../../shared/rules/catalogue';
import type { AlertRecord } from '../alertBook';
import type { Detector, DetectorContext } from '../detector';
import type { InstrumentRec, OrderRec } from '../records';

interface ContractParams {
  rule: RuleParams['large_cancel'];
  /** Smallest cancelled lots that count as a large cancel here; Infinity = none can. */
  minQty: number;
  /** The share of the contract's largest order that set minQty (null when the absolute size did). */
  byShare: { share: number; maxOrderQty: number } | null;
}

export class LargeCancelDetector implements Detector {
  readonly rule = 'large_cancel';

  constructor(
    private readonly context: DetectorContext,
    private readonly slot: number,
  ) {}

  paramsFor(inst: InstrumentRec): ContractParams {
    const rule = resolveRuleParams(this.context.config, this.rule, inst.exchange, inst.product);
    let minQty = Number.POSITIVE_INFINITY;
    if (rule.minQty !== null) minQty = rule.minQty;
    let shareQty = Number.POSITIVE_INFINITY;
    if (rule.maxOrderQtyShare !== null && inst.maxOrderQty !== null) {
      // 80% of 500 is 400 lots exactly: guard the float product before rounding up.
      shareQty = Math.ceil(rule.maxOrderQtyShare * inst.maxOrderQty - 1e-9);
      minQty = Math.min(minQty, Math.max(1, shareQty));
    }
    const byShare =
      rule.maxOrderQtyShare !== null && inst.maxOrderQty !== null && shareQty === minQty
        ? { share: rule.maxOrderQtyShare, maxOrderQty: inst.maxOrderQty }
        : null;
    return { rule, minQty, byShare };
  }

  onCancel(order: OrderRec, m: OrderCancelMessage): void {
    const pair = order.pair;
    const params = pair.inst.params[this.slot] as ContractParams;
    if (!params.rule.enabled || m.cancelledQty < params.minQty) return;
    let record = pair.states[this.slot] as AlertRecord | null;
    if (!record) {
      record = this.context.pairRecord(pair, this.rule, params.rule.threshold, RULES.large_cancel.message(params.rule));
      record.metrics.largeMinQty = params.minQty;
      if (params.byShare) {
        record.metrics.maxOrderQtyShare = params.byShare.share;
        record.metrics.maxOrderQty = params.byShare.maxOrderQty;
      }
      pair.states[this.slot] = record;
    }
    record.note(m.seq, order.acc.id);
    this.context.settle(record);
  }
}
