export { configSchema, type AppConfig } from './config.schema.js';
export { loadConfig, loadConfigOrExit, loadDatabaseUrlOrExit, ConfigError } from './load-config.js';
