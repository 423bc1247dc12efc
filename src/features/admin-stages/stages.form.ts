import { typedValues } from '../../shared/request.js';
import type { VersionedStage } from './stages.repository.js';

export type FormValues = Record<string, string>;

const FORM_FIELDS = ['code', 'name_zh', 'name_en', 'sort', 'probability', 'kind', 'is_active', 'version'] as const;

/** A stored stage as the strings its edit form shows, with the version the form carries. */
export function valuesOfRecord(stage: VersionedStage): FormValues {
  return {
    code: stage.code,
    name_zh: stage.name_zh,
    name_en: stage.name_en,
    sort: String(stage.sort),
    probability: String(stage.probability),
    kind: stage.kind,
    is_active: stage.is_active ? '1' : '',
    version: String(stage.version),
  };
}

export function valuesOfBody(body: unknown): FormValues {
  return typedValues(body, FORM_FIELDS);
}

export function newValues(): FormValues {
  return { ...valuesOfBody({}), kind: 'open', probability: '0', is_active: '1' };
}
