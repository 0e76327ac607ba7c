// Picking a row of a live, re-sorting grid as an operator does: the pointer comes to rest on the row first (which
// holds the rows' places), then the row it rests on is the one read and clicked.
import type { Locator } from '@playwright/test';

/** Hovers `row`, reads its row id and clicks it (on `cell` inside it when given); returns the id clicked. */
export async function pickGridRow(row: Locator, cell?: string): Promise<string> {
  await row.hover();
  const rowId = (await row.getAttribute('row-id')) ?? '';
  const target = row.page().locator(`.ag-row[row-id="${rowId}"]`).first();
  await (cell ? target.locator(`[col-id="${cell}"]`) : target).click();
  return rowId;
}
