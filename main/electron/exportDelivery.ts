// Finished exports handed to the operator in the app: opened with the program the desktop associates with the file,
// or shown selected in its folder. Paths come from `reports.deliver`, which accepts only finished exports in the
// exports folder; shell.openPath opens a local path (never a URL), so no scheme can sneak in.
import { shell } from 'electron';
import type { ExportDelivery } from '../reports/service';
import { ApiFailure } from '../api/dispatcher';

export const deliverExportOnDesktop: ExportDelivery = async (file, how) => {
  if (how === 'reveal') {
    shell.showItemInFolder(file);
    return { opened: true };
  }
  if (how === 'download')
    throw new ApiFailure('bad_arguments', 'in the app an export is opened or shown in its folder');
  const problem = await shell.openPath(file);
  if (problem) throw new ApiFailure('failed', `could not open ${file}: ${problem}`);
  return { opened: true };
};
