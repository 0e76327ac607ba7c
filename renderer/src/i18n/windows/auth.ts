// Strings of the sign-in screens (first-start admin, login, lock) and the audit banner, English and Simplified Chinese.
export const en = {
  auditFailed:
    'AUDIT LOG INTEGRITY CHECK FAILED at start: {{message}}. Records may have been altered — tell your supervisor and compliance before continuing.',
  welcome: 'Welcome to Floorwatch',
  firstStart: 'First start: create the administrator account. Every action is recorded under it.',
  userName: 'User name',
  displayName: 'Display name',
  password: 'Password',
  createAdmin: 'Create administrator',
  loginTitle: 'Floorwatch — log in',
  logIn: 'Log in',
  locked: 'Locked',
  lockedAs: '{{name}} ({{role}}) — enter your password to continue.',
  unlock: 'Unlock',
  logOut: 'Log out',
  connecting: 'Connecting…',
  unavailable: 'Login is not available: {{error}}',
  retryIn: 'Too many failed attempts. Trying again in {{count}} s…',
};

export const zh: typeof en = {
  auditFailed: '启动时审计日志完整性校验失败：{{message}}。记录可能已被篡改——请在继续之前告知主管和合规部门。',
  welcome: '欢迎使用 Floorwatch',
  firstStart: '首次启动：请创建管理员账户。所有操作都将记录在该账户下。',
  userName: '用户名',
  displayName: '显示名称',
  password: '密码',
  createAdmin: '创建管理员',
  loginTitle: 'Floorwatch — 登录',
  logIn: '登录',
  locked: '已锁定',
  lockedAs: '{{name}}（{{role}}）——请输入密码继续。',
  unlock: '解锁',
  logOut: '退出登录',
  connecting: '正在连接…',
  unavailable: '无法登录：{{error}}',
  retryIn: '失败次数过多，{{count}} 秒后自动重试…',
};
