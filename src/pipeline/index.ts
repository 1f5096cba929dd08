// src/pipeline: the environment read once into typed settings (readSettings).
export * from './settings.ts';
