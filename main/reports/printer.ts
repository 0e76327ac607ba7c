// The PDF seam of the report pipeline: the documents are HTML print views; whoever runs the job supplies the
// printer. Plain Node (CLI, host) prints with headless Chromium (./pdf.ts, page.pdf); the Electron app prints with
// webContents.printToPDF of a hidden window (main/electron/reportPdf.ts). A report worker thread gets a proxy that
// asks its owner to print (./worker.ts), so Chromium is never loaded inside the worker.

export interface PdfPrinter {
  /** Prints a self-contained HTML page to an A4 PDF with page numbers; `footerLabel` is the footer's left text. */
  render(html: string, footerLabel: string): Promise<Buffer>;
}

/** A printer its opener owns and must close (a browser process, a hidden window). */
export interface OwnedPdfPrinter extends PdfPrinter {
  close(): Promise<void>;
}

/** Opens a printer for one job (launched lazily: a job without a PDF never starts a browser). */
export type PdfPrinterFactory = () => Promise<OwnedPdfPrinter>;

/** The footer line both printers draw: label left, "page / pages" right. Chromium's template classes. */
export function footerTemplate(footerLabel: string): string {
  return `<div style="font-size:7px;width:100%;padding:0 14mm;color:#5a6b7b;display:flex;justify-content:space-between;font-family:Arial,'WenQuanYi Micro Hei',sans-serif"><span>${footerLabel.replace(/[<>&]/g, '')}</span><span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>`;
}
