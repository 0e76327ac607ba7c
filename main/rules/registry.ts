// Every rule's detector, registered once: one line per catalogue entry (shared/rules/catalogue). The engine calls
// the detectors in this order, so within one message an earlier rule sees it first (the order of the lines does
// not change what any rule finds: each keeps its own state).
import type { RuleId } from '../../shared/rules/types';
import type { DetectorFactory } from './detector';
import { FrequentCancelDetector } from './detectors/frequentCancel';
import { LargeCancelDetector } from './detectors/largeCancel';
import { MarginCallDetector } from './detectors/marginCall';
import { MarkingCloseDetector } from './detectors/markingClose';
import { MomentumIgnitionDetector } from './detectors/momentumIgnition';
import { OrderBurstDetector } from './detectors/orderBurst';
import { PositionLimitDetector } from './detectors/positionLimit';
import { SelfTradeDetector } from './detectors/selfTrade';
import { SpoofingDetector } from './detectors/spoofing';

export const DETECTORS: { readonly [R in RuleId]: DetectorFactory } = {
  self_trade: (context, slot) => new SelfTradeDetector(context, slot),
  order_burst: (context, slot) => new OrderBurstDetector(context, slot),
  frequent_cancel: (context, slot) => new FrequentCancelDetector(context, slot),
  large_cancel: (context, slot) => new LargeCancelDetector(context, slot),
  spoofing: (context, slot) => new SpoofingDetector(context, slot),
  momentum_ignition: (context, slot) => new MomentumIgnitionDetector(context, slot),
  position_limit: (context, slot) => new PositionLimitDetector(context, slot),
  margin_call: (context, slot) => new MarginCallDetector(context, slot),
  marking_close: (context, slot) => new MarkingCloseDetector(context, slot),
};
