// Strings of the Sessions window (issue 4), English and Simplified Chinese.
export const en = {
  building: 'Sessions: this window is being built.',
};

export const zh: typeof en = {
  building: '会话记录：此窗口正在建设中。',
};
