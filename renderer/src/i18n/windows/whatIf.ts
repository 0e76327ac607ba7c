// Strings of the What-if tuning window (issue 5), English and Simplified Chinese.
export const en = {
  building: 'What-if tuning: this window is being built.',
};

export const zh: typeof en = {
  building: '阈值模拟：此窗口正在建设中。',
};
