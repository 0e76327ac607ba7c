// HTML print view → PDF with headless Chromium (Playwright's launcher; the system /usr/bin/chromium when present).
// Electron prints the same HTML with webContents.printToPDF; this file is the plain-Node path (CLI, host).
import { existsSync } from 'node:fs';
import type { Browser } from '@playwright/test';
import { footerTemplate, type OwnedPdfPrinter } from './printer';

const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export class PdfRenderError extends Error {}

/** One browser for several documents; `close()` once done (the owner of the renderer stops the browser). */
export class PdfRenderer implements OwnedPdfPrinter {
  private constructor(private readonly browser: Browser) {}

  static async launch(): Promise<PdfRenderer> {
    const { chromium } = await import('@playwright/test');
    try {
      const browser = await chromium.launch({
        executablePath: existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : undefined,
        args: FLAGS,
      });
      return new PdfRenderer(browser);
    } catch (error) {
      throw new PdfRenderError(`cannot start Chromium to print the PDF: ${(error as Error).message.split('\n')[0]}`);
    }
  }

  /** Prints `html` to an A4 PDF with page numbers and returns its bytes. */
  async render(html: string, footerLabel: string): Promise<Buffer> {
    const page = await this.browser.newPage();
    try {
      // No network: the print view is self-contained.
      await page.route('**/*', (route) => route.abort());
      await page.setContent(html, { waitUntil: 'load' });
      return await page.pdf({
        format: 'A4',
        printBackground: true,
        preferCSSPageSize: true,
        displayHeaderFooter: true,
        headerTemplate: '<span></span>',
        footerTemplate: footerTemplate(footerLabel),
      });
    } finally {
      await page.close();
    }
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}
