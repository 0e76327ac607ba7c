// Strings of the Reports window (issue 8), English and Simplified Chinese.
export const en = {
  building: 'Reports: this window is being built.',
};

export const zh: typeof en = {
  building: '报表：此窗口正在建设中。',
};
