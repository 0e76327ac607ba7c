// The header's window buttons: each one sits in the header or, when the header is too narrow, behind "More ▾".
import type { Locator, Page } from '@playwright/test';
import type { WindowKind } from '../../../shared/api/contract';

/** The button that opens a `kind` window, opening the More menu first when that is where it is. */
export async function windowButton(page: Page, kind: WindowKind): Promise<Locator> {
  const inHeader = page.locator(`header [data-testid="open-${kind}"]`);
  if (await inHeader.isVisible()) return inHeader;
  await page.getByTestId('open-more').click();
  return page.locator(`[role="menu"] [data-testid="open-${kind}"]`);
}
