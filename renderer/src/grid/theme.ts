// AG Grid setup shared by every grid: modules registered once, and the dark trading-floor theme built with the
// Theming API (themeQuartz + dark colour scheme, compact rows, tabular digits).
import {
  ClientSideRowModelApiModule,
  ClientSideRowModelModule,
  CellStyleModule,
  ColumnApiModule,
  EventApiModule,
  ExternalFilterModule,
  HighlightChangesModule,
  InfiniteRowModelModule,
  LocaleModule,
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
  colorSchemeLight,
  themeQuartz,
} from 'ag-grid-community';

// The modules the windows use, not AllCommunityModule: with ColumnAutoSizeModule registered, ag-grid-react queues
// a setTimeout for every changed row node, which alone cost ~10% of the main thread for 10k positions at 50k row
// updates/s. ValidationModule (development builds only: it also paints warnings over the page) turns a missing module
// or a deprecated option into a readable message; production still logs "AG Grid: error #200" for a missing module.
ModuleRegistry.registerModules([
  ClientSideRowModelModule,
  ClientSideRowModelApiModule,
  // Large tables (accounts, positions, alerts, market) are server-side views read block by block.
  InfiniteRowModelModule,
  RowApiModule,
  ScrollApiModule,
  RenderApiModule,
  RowSelectionModule,
  ExternalFilterModule,
  QuickFilterModule,
  // api.addEventListener and api.getColumnState: the live grid binding follows the sort (in-place updates).
  EventApiModule,
  ColumnApiModule,
  HighlightChangesModule,
  CellStyleModule,
  RowStyleModule,
  TooltipModule,
  // localeText: the grid's own texts (its loading overlay) in the window's language.
  LocaleModule,
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

export const floorGridThemeDark = themeQuartz.withPart(colorSchemeDark).withParams({
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

export const floorGridThemeLight = themeQuartz.withPart(colorSchemeLight).withParams({
  backgroundColor: '#ffffff',
  foregroundColor: '#1b2430',
  chromeBackgroundColor: '#f3f5f8',
  headerBackgroundColor: '#eef1f5',
  headerTextColor: '#4f5d6e',
  headerFontWeight: 600,
  headerFontSize: 11,
  oddRowBackgroundColor: '#f7f9fb',
  rowHoverColor: '#e8eef7',
  selectedRowBackgroundColor: '#d6e4fb',
  borderColor: '#d9dee5',
  accentColor: '#2563eb',
  fontFamily: UI_FONT,
  fontSize: 12.5,
  spacing: 4,
  rowHeight: 26,
  headerHeight: 30,
  wrapperBorder: false,
  wrapperBorderRadius: 0,
  columnBorder: { color: '#eceff3' },
  headerColumnBorder: { color: '#d9dee5' },
  cellHorizontalPaddingScale: 0.8,
  valueChangeValueHighlightBackgroundColor: 'rgba(255, 176, 0, 0.22)',
  iconSize: 12,
});

/** Kept for callers that want the default (dark) theme object. */
export const floorGridTheme = floorGridThemeDark;
