import { typedValues } from '../../shared/request.js';
import type { Stage } from '../opportunities/pipeline-stages.js';

export type FormValues = Record<string, string>;

const FORM_FIELDS = ['code', 'name_zh', 'name_en', 'sort', 'probability', 'kind', 'is_active'] as const;

export function valuesOfRecord(stage: Stage): FormValues {
  return {
    code: stage.code,
    name_zh: stage.name_zh,
    name_en: stage.name_en,
    sort: String(stage.sort),
    probability: String(stage.probability),
    kind: stage.kind,
    is_active: stage.is_active ? '1' : '',
  };
}

export function valuesOfBody(body: unknown): FormValues {
  return typedValues(body, FORM_FIELDS);
}

export function newValues(): FormValues {
  return { ...valuesOfBody({}), kind: 'open', probability: '0', is_active: '1' };
}
