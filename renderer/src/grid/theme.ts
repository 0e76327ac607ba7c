// AG Grid setup shared by every grid: modules registered once, and the dark trading-floor theme built with the
// Theming API (themeQuartz + dark colour scheme, compact rows, tabular digits).
import {
  ClientSideRowModelApiModule,
  ClientSideRowModelModule,
  CellStyleModule,
  ExternalFilterModule,
  HighlightChangesModule,
  ModuleRegistry,
  QuickFilterModule,
  RenderApiModule,
  RowApiModule,
  RowSelectionModule,
  RowStyleModule,
  ScrollApiModule,
  TooltipModule,
  ValidationModule,
  colorSchemeDark,
  themeQuartz,
} from 'ag-grid-community';

// The modules the windows use, not AllCommunityModule: with ColumnAutoSizeModule registered, ag-grid-react queues
// a setTimeout for every changed row node, which alone cost ~10% of the main thread for 10k positions at 50k row
// updates/s. ValidationModule (development builds only: it also paints warnings over the page) turns a missing module
// or a deprecated option into a readable message; production still logs "AG Grid: error #200" for a missing module.
ModuleRegistry.registerModules([
  ClientSideRowModelModule,
  ClientSideRowModelApiModule,
  RowApiModule,
  ScrollApiModule,
  RenderApiModule,
  RowSelectionModule,
  ExternalFilterModule,
  QuickFilterModule,
  HighlightChangesModule,
  CellStyleModule,
  RowStyleModule,
  TooltipModule,
  ...(import.meta.env.DEV ? [ValidationModule] : []),
]);

const UI_FONT = [
  'Inter',
  'Segoe UI',
  'Roboto',
  'Noto Sans',
  'DejaVu Sans',
  'PingFang SC',
  'Microsoft YaHei',
  'WenQuanYi Micro Hei',
  'Noto Sans CJK SC',
  'sans-serif',
];

export const floorGridTheme = themeQuartz.withPart(colorSchemeDark).withParams({
  backgroundColor: '#0e1319',
  foregroundColor: '#d5dce5',
  chromeBackgroundColor: '#131a22',
  headerBackgroundColor: '#141b24',
  headerTextColor: '#8a97a8',
  headerFontWeight: 600,
  headerFontSize: 11,
  oddRowBackgroundColor: '#10161d',
  rowHoverColor: '#1a2430',
  selectedRowBackgroundColor: '#1d3350',
  borderColor: '#1f2833',
  accentColor: '#4c8dff',
  fontFamily: UI_FONT,
  fontSize: 12.5,
  spacing: 4,
  rowHeight: 26,
  headerHeight: 30,
  wrapperBorder: false,
  wrapperBorderRadius: 0,
  columnBorder: { color: '#171f28' },
  headerColumnBorder: { color: '#1f2833' },
  cellHorizontalPaddingScale: 0.8,
  // Cell flash on change: a short, neutral highlight; direction is shown by the text colour.
  valueChangeValueHighlightBackgroundColor: 'rgba(255, 196, 61, 0.16)',
  iconSize: 12,
});
