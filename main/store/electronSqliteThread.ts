// Injected at the top of every bundled worker thread (build/build.mjs): under Electron in a checkout (`npm start`)
// each thread has its own require cache, so each one points better-sqlite3 at the binary rebuilt for Electron
// before it opens a database. Outside Electron, and in a packaged app, it does nothing.
import { installElectronSqliteBinding } from './electronSqlite';

installElectronSqliteBinding();
