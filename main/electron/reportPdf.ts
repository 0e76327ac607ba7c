// The report pipeline's PDF printer under Electron (main/reports/printer.ts seam): each print view is loaded into a
// hidden, sandboxed BrowserWindow (no preload, no script, its own session that refuses every request but the page's
// own file) and printed with webContents.printToPDF, the same A4 page setup and footer as Chromium's page.pdf in the
// host. One window per job, closed with the printer.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BrowserWindow, session } from 'electron';
import { footerTemplate, type OwnedPdfPrinter } from '../reports/printer';

const PRINT_PARTITION = 'floorwatch-report-print';

/** One folder for every job's pages and one request filter for the print session (a session has one filter). */
let printRoot: string | null = null;

function printSession(): Electron.Session {
  const printing = session.fromPartition(PRINT_PARTITION);
  if (printRoot === null) {
    const root = mkdtempSync(path.join(tmpdir(), 'floorwatch-print-'));
    printRoot = root;
    // The print view is self-contained: anything but a page of ours is refused (no network, no other file).
    printing.webRequest.onBeforeRequest((details, callback) => {
      callback({ cancel: !details.url.startsWith(`${pathToFileURL(root).href}/`) });
    });
    printing.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  }
  return printing;
}

export async function openElectronPdfPrinter(): Promise<OwnedPdfPrinter> {
  const printing = printSession();
  const folder = mkdtempSync(path.join(printRoot as string, 'job-'));
  const window = new BrowserWindow({
    show: false,
    width: 794,
    height: 1123,
    webPreferences: {
      session: printing,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      javascript: false,
      disableBlinkFeatures: 'Auxclick',
      spellcheck: false,
    },
  });
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  let page = 0;
  return {
    async render(html, footerLabel) {
      const file = path.join(folder, `page-${++page}.html`);
      writeFileSync(file, html);
      try {
        await window.loadFile(file);
        return await window.webContents.printToPDF({
          pageSize: 'A4',
          printBackground: true,
          preferCSSPageSize: true,
          displayHeaderFooter: true,
          headerTemplate: '<span></span>',
          footerTemplate: footerTemplate(footerLabel),
        });
      } finally {
        rmSync(file, { force: true });
      }
    },
    async close() {
      if (!window.isDestroyed()) window.destroy();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
