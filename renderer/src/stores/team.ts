// The team settings as the windows need them (the SLA targets per severity for the SLA column, the account groups
// for the Settings editor), asked once per window and again after an admin saves them. Defaults until answered, so
// a workstation without the team workflow still shows ages against the default SLA.
import { create } from 'zustand';
import { DEFAULT_TEAM_SETTINGS, type TeamSettings } from '../../../shared/domain/teamWorkflow';
import { callOptional } from '../api/floorwatch';

interface TeamState {
  settings: TeamSettings;
  loaded: boolean;
  load(): Promise<void>;
  set(settings: TeamSettings): void;
}

export const useTeamStore = create<TeamState>()((set) => ({
  settings: DEFAULT_TEAM_SETTINGS,
  loaded: false,
  load: async () => {
    const result = await callOptional<TeamSettings>('team.settings', {});
    if (result.ok) set({ settings: result.value, loaded: true });
  },
  set: (settings) => set({ settings, loaded: true }),
}));
