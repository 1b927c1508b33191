export * from './schema.js';
export {
  CAMPAIGNS_DIR,
  CampaignError,
  checkCampaign,
  clearCampaignCache,
  formatPath,
  isPresetId,
  listPresets,
  loadCampaign,
  parseCampaign,
  presetPath,
} from './load.js';
