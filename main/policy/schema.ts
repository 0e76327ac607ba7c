// The machine-wide policy and the settings it locks: one TypeBox schema, written to build/policy.schema.json for IT
// (`npm run -s policy:schema` regenerates it; a unit test fails when the shipped file drifts from this one).
import { Type, type Static } from '@sinclair/typebox';

/**
 * What may be exported from the workstation: data exports (market … session), the audit log, and the compliance
 * reports (daily surveillance report, abnormal-trading report, evidence pack). main/reports enforces the last four.
 */
export const EXPORT_KINDS = [
  'market',
  'positions',
  'accounts',
  'alerts',
  'session',
  'audit',
  'daily',
  'abnormal',
  'evidence',
] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

const FeedUrl = Type.String({
  pattern: '^wss?://[^\\s]+$',
  maxLength: 2048,
  description: 'ws:// or wss:// URL of a fw-feed/1 gateway',
});

/** Every setting a policy, an environment variable or the user may set. All optional here: absent = not set. */
export const SettingsSchema = Type.Object(
  {
    feedUrls: Type.Array(FeedUrl, {
      minItems: 1,
      maxItems: 16,
      description:
        'Feed gateways: the first is the primary, the others backups tried in turn when it cannot be reached.',
    }),
    feedCaFile: Type.String({
      minLength: 1,
      maxLength: 4096,
      description: 'PEM file of the CA that signs the gateway certificate (wss:// only).',
    }),
    serverUrl: Type.String({
      pattern: '^(https?|wss?)://[^\\s]+$',
      maxLength: 2048,
      description:
        'Team server (floorwatch server) this workstation works against instead of a core of its own: ' +
        'https://HOST:PORT as the server prints it (http:// on loopback only).',
    }),
    serverCaFile: Type.String({
      minLength: 1,
      maxLength: 4096,
      description: 'PEM file of the CA that signs the team server certificate (https:// and wss:// only).',
    }),
    dataDir: Type.String({
      minLength: 1,
      maxLength: 4096,
      description: 'Folder for sessions, the audit log, layouts and settings (absolute path).',
    }),
    retentionDays: Type.Integer({
      minimum: 1,
      maximum: 36500,
      description: 'Recorded sessions older than this many days are deleted (never the audit log).',
    }),
    idleLockMinutes: Type.Integer({
      minimum: 0,
      maximum: 1440,
      description: 'Lock the session after this many idle minutes (0 = never).',
    }),
    exportKinds: Type.Array(Type.Union(EXPORT_KINDS.map((kind) => Type.Literal(kind))), {
      maxItems: EXPORT_KINDS.length,
      uniqueItems: true,
      description: 'What operators may export; [] forbids every export.',
    }),
    simulatorAllowed: Type.Boolean({ description: 'Whether the built-in exchange simulator may run.' }),
    hostModeAllowed: Type.Boolean({ description: 'Whether `floorwatch host` (browser windows) may run.' }),
    autoUpdateAllowed: Type.Boolean({ description: 'Whether the app may look for updates by itself.' }),
    diskWarningFreePercent: Type.Number({
      minimum: 0,
      maximum: 99,
      description: 'Warn when the data folder disk has less than this percentage free.',
    }),
  },
  { additionalProperties: false },
);
export type Settings = Static<typeof SettingsSchema>;
/** User settings files and environment variables set some keys only. */
export const PartialSettingsSchema = Type.Partial(SettingsSchema, { additionalProperties: false });
export type SettingKey = keyof Settings;
export const SETTING_KEYS = Object.keys(SettingsSchema.properties) as SettingKey[];

/** The policy file: the settings it locks, plus an optional `$schema` (editors) and `comment`. */
export const PolicySchema = Type.Partial(
  Type.Object(
    {
      $schema: Type.String(),
      comment: Type.String({ description: 'Free text for IT, ignored by the app.' }),
      ...SettingsSchema.properties,
      keyFile: Type.String({
        minLength: 1,
        maxLength: 4096,
        pattern: '^(/|[A-Za-z]:[\\\\/]|\\\\\\\\)',
        description:
          'Absolute path of the data key file that encrypts sessions, the audit log and the operators database ' +
          '(created 0600 at first start; back it up: without it the data cannot be read). Default: ' +
          'FLOORWATCH_KEY_FILE, else <dataDir>/keys/data.key.',
      }),
    },
    { additionalProperties: false },
  ),
  {
    $id: 'https://floorwatch.org/schema/policy.json',
    title: 'Floorwatch machine-wide policy',
    description:
      'Every key present is locked for all users of this machine ("set by your organisation"); absent keys fall ' +
      'back to environment variables, then user settings, then defaults.',
    additionalProperties: false,
  },
);
export type Policy = Static<typeof PolicySchema>;

/** Environment variable per setting, for scripted installs (below the policy, above user settings). */
export const SETTING_ENV_VARS: Readonly<Record<SettingKey, string>> = {
  feedUrls: 'FLOORWATCH_FEED_URL',
  feedCaFile: 'FLOORWATCH_FEED_CA_FILE',
  serverUrl: 'FLOORWATCH_SERVER_URL',
  serverCaFile: 'FLOORWATCH_SERVER_CA_FILE',
  dataDir: 'FLOORWATCH_DATA_DIR',
  retentionDays: 'FLOORWATCH_RETENTION_DAYS',
  idleLockMinutes: 'FLOORWATCH_IDLE_LOCK_MINUTES',
  exportKinds: 'FLOORWATCH_EXPORT_KINDS',
  simulatorAllowed: 'FLOORWATCH_SIMULATOR_ALLOWED',
  hostModeAllowed: 'FLOORWATCH_HOST_MODE_ALLOWED',
  autoUpdateAllowed: 'FLOORWATCH_AUTO_UPDATE_ALLOWED',
  diskWarningFreePercent: 'FLOORWATCH_DISK_WARNING_PERCENT',
};
