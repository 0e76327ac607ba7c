// Strings of a review workspace's windows (the review band and its controls), English and Simplified Chinese.
export const en = {
  band: 'REVIEW · {{name}}',
  bandTitle: 'A recorded session replayed in its own windows; the live floor keeps running in the others',
  ended: 'REVIEW · this review has ended — open the session again from Sessions',
  play: 'Play',
  pause: 'Pause',
  step: 'Step',
  stepTitle: 'Apply the next message',
  step100Title: 'Apply the next 100 messages',
  speed: 'Replay speed',
  timeline: 'Session position (seq)',
  backToLive: 'Back to live',
  backToLiveTitle: 'Leave this review window for the live floor (it never stopped)',
  windowTitle: 'REVIEW · {{name}}',
};

export const zh: typeof en = {
  band: '回放 · {{name}}',
  bandTitle: '已记录会话在独立窗口中回放；其他窗口中的实时监控照常运行',
  ended: '回放 · 此回放已结束——请从会话窗口重新打开',
  play: '播放',
  pause: '暂停',
  step: '单步',
  stepTitle: '应用下一条消息',
  step100Title: '应用接下来的 100 条消息',
  speed: '回放速度',
  timeline: '会话位置（序号）',
  backToLive: '返回实时',
  backToLiveTitle: '离开此回放窗口，回到实时监控（实时从未停止）',
  windowTitle: '回放 · {{name}}',
};
