// 虚假申报: large orders (or layers on several price levels) entered to move others and cancelled unfilled.
import { Type } from '@sinclair/typebox';
import { quantity as q } from '../../vocabulary/quantity';
import { term } from '../../vocabulary/term';
import { Count, defineRule, Enabled, ENABLED_LABEL, Lots, Millis, Positive, strict } from './entry';
import { PATTERN_SCALE, severityAt } from '../severityScale';
import { countRatio } from './entry';
import { metric, num, pct } from './text';

export const spoofing = defineRule({
  id: 'spoofing',
  scope: 'contract',
  kind: 'pattern',
  params: strict({
    enabled: Enabled,
    /** Smallest order (lots) that can be a spoof or a layer. */
    minQty: Lots,
    /** A spoof order's lots ≥ this × the visible lots on its side of the book (top levels, at entry). */
    depthRatio: Positive,
    /** A layer order's lots ≥ this × the average visible level on its side (layers are judged together). */
    layerLevelRatio: Positive,
    /** Cancelled within this long after entry. */
    maxLifeMs: Millis,
    /** At most this share of the order filled before the cancel. */
    maxFillShare: Type.Number({ minimum: 0, maximum: 1 }),
    /** Layered cancels of one client closer than this in time belong to one episode. */
    episodeGapMs: Millis,
    /** Layering: qualifying orders on at least this many consecutive price levels. */
    layeringMinLevels: Type.Integer({ minimum: 2 }),
    /** Episodes in one day that make an alert. */
    minEpisodes: Count,
  }),
  name: term('Spoofing / layering', '虚假申报'),
  paramLabels: {
    enabled: ENABLED_LABEL,
    minQty: q('Min order size', '最小申报手数', 'lots'),
    depthRatio: q('Size vs visible depth', '相对盘口可见量', 'ratio'),
    layerLevelRatio: q('Layer size vs average level', '相对平均档位量', 'ratio'),
    maxLifeMs: q('Max order life', '最长存续时间', 'ms'),
    maxFillShare: q('Max filled share', '最大成交比例', 'share'),
    episodeGapMs: q('Episode gap', '事件间隔', 'ms'),
    layeringMinLevels: q('Layering levels', '分层最少档数', 'levels'),
    minEpisodes: q('Episodes per day', '每日事件数', 'times'),
  },
  metrics: {
    layeredEpisodes: q('Layered episodes', '分层申报次数', 'times'),
    maxLayerLevels: q('Most layered levels', '最多分层档数', 'levels'),
    maxOrderQty: q('Largest order', '最大申报手数', 'lots'),
    maxDepthRatio: q('Largest size vs visible depth', '相对盘口可见量（最大）', 'ratio'),
    maxLifeMs: q('Longest order life', '最长存续时间', 'ms'),
    maxFillShare: q('Largest filled share', '最大成交比例', 'share'),
  },
  threshold: (params) => params.minEpisodes,
  message: () => (r) => {
    const layered = metric(r, 'layeredEpisodes');
    const maxQty = metric(r, 'maxOrderQty');
    const ratio = num(metric(r, 'maxDepthRatio'));
    const life = num(metric(r, 'maxLifeMs') / 1000);
    const fill = pct(metric(r, 'maxFillShare'));
    const layers = metric(r, 'maxLayerLevels');
    const episodes = r.count === 1 ? 'episode' : 'episodes';
    const layering = layered > 0 ? `; layering on ${layers} consecutive price levels in ${layered} of them` : '';
    const layeringZh = layered > 0 ? `；其中 ${layered} 次在连续 ${layers} 个价位分层申报` : '';
    return {
      message: `${r.count} spoofing ${episodes} on ${r.instrumentId} today: orders up to ${maxQty} lots (${ratio}× the visible depth on their side) cancelled within ${life} s with ${fill}% filled at most, while the client traded the opposite side${layering}`,
      messageZh: `${r.instrumentId} 今日疑似虚假申报 ${r.count} 次：申报最多 ${maxQty} 手（同侧盘口可见量的 ${ratio} 倍），${life} 秒内撤单、成交不超过 ${fill}%，期间反向成交${layeringZh}`,
      severity: severityAt(countRatio(r), PATTERN_SCALE, layered > 0 ? 1 : 0),
      score: (layered > 0 ? 85 : 70) + Math.min(15, 5 * (r.count - 1)),
    };
  },
  accountCounter: false,
  benchTarget: 0.95,
});
